"""Test users of a stack deployed with CreateTestUserPool=true, and their ID tokens.

    python scripts/test_users.py --stack leadlists-staging token --org org_a --user ann --role admin
    python scripts/test_users.py --stack leadlists-staging delete-all

`token` creates the user when needed (username `USER@ORG`), sets its organization and role
(`custom:org_id`, `custom:org_role`; `--org ''` leaves the organization out), gives it a fresh
password, signs in through the pool's app client (USER_PASSWORD_AUTH) and prints the ID token:
the pool's pre-token trigger has put `org_id` and `org_role` in it, and its audience is the app
client the HTTP API's authorizer expects. The calling convention is tests/http_target.py's, so

    LEADLISTS_TOKEN_CMD="python scripts/test_users.py --stack leadlists-staging token" make e2e

The password comes from LEADLISTS_TEST_PASSWORD, or is generated for each call and never
printed or stored. The pool and client ids come from --pool-id/--client-id, or from the stack's
outputs (TestUserPoolId, TestUserPoolClientId). boto3's usual credentials and region apply; the
caller needs cloudformation:DescribeStacks on the stack and, on the pool, cognito-idp:
AdminCreateUser, AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminSetUserPassword,
ListUsers and AdminDeleteUser (sign-in itself needs no AWS credentials).
"""

from __future__ import annotations

import argparse
import os
import secrets
import string
import sys
from collections.abc import Sequence
from typing import Any

import boto3

ORG_ATTRIBUTE = "custom:org_id"
ROLE_ATTRIBUTE = "custom:org_role"
# The name of a variable, not a password.
PASSWORD_ENV = "LEADLISTS_TEST_PASSWORD"  # noqa: S105  # nosec B105


def generated_password(length: int = 32) -> str:
    """Random, with every character class the pool's policy requires."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-.:=?@^_~"]
    chars = [secrets.choice(c) for c in classes]
    chars += [secrets.choice("".join(classes)) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def username(org: str, user: str) -> str:
    return f"{user}@{org}" if org else f"{user}@no-org"


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in found}


def ensure_user(idp: Any, pool_id: str, org: str, user: str, role: str) -> str:
    """The user, created or brought to this organization and role; returns its username."""
    name = username(org, user)
    attributes = [{"Name": n, "Value": v} for n, v in ((ORG_ATTRIBUTE, org), (ROLE_ATTRIBUTE, role))
                  if v]  # fmt: skip
    blank = [n for n, v in ((ORG_ATTRIBUTE, org), (ROLE_ATTRIBUTE, role)) if not v]
    try:
        idp.admin_create_user(
            UserPoolId=pool_id, Username=name, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
    except idp.exceptions.UsernameExistsException:
        if attributes:
            idp.admin_update_user_attributes(
                UserPoolId=pool_id, Username=name, UserAttributes=attributes
            )
        if blank:
            idp.admin_delete_user_attributes(
                UserPoolId=pool_id, Username=name, UserAttributeNames=blank
            )
    return name


def id_token(idp: Any, pool_id: str, client_id: str, name: str) -> str:
    password = os.environ.get(PASSWORD_ENV) or generated_password()
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=name, Password=password, Permanent=True
    )
    answer = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def delete_all(idp: Any, pool_id: str) -> int:
    deleted = 0
    for page in idp.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for found in page["Users"]:
            idp.admin_delete_user(UserPoolId=pool_id, Username=found["Username"])
            deleted += 1
    return deleted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="stack whose outputs name the pool and client")
    parser.add_argument("--region", help="the stack's region (default: boto3's)")
    parser.add_argument("--pool-id", default=os.environ.get("LEADLISTS_TEST_POOL_ID"))
    parser.add_argument("--client-id", default=os.environ.get("LEADLISTS_TEST_CLIENT_ID"))
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print an ID token for a test user")
    token.add_argument("--org", required=True, help="'' for a user without an organization")
    token.add_argument("--user", required=True)
    token.add_argument("--role", default="member", help="'' for no role")
    commands.add_parser("delete-all", help="delete every user of the test pool")
    args = parser.parse_args(argv)

    session = boto3.Session(region_name=args.region)
    pool_id, client_id = args.pool_id, args.client_id
    if not (pool_id and client_id):
        if not args.stack:
            parser.error("give --stack, or --pool-id and --client-id")
        outputs = stack_outputs(session.client("cloudformation"), args.stack)
        if "TestUserPoolId" not in outputs:
            print(f"{args.stack} has no test user pool: deploy it with CreateTestUserPool=true",
                  file=sys.stderr)  # fmt: skip
            return 2
        pool_id = pool_id or outputs["TestUserPoolId"]
        client_id = client_id or outputs["TestUserPoolClientId"]
    idp = session.client("cognito-idp")
    if args.command == "delete-all":
        print(f"Deleted {delete_all(idp, pool_id)} test users.", file=sys.stderr)
        return 0
    name = ensure_user(idp, pool_id, args.org, args.user, args.role)
    print(id_token(idp, pool_id, client_id, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
