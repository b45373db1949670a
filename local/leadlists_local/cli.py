"""`leadlists`: the developer command line (serve, token, key, invoke, seed, import, fuzz).
Never deployed."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from leadlists_local import fuzz as fuzzing
from leadlists_local import state, template, tokens

# `invoke` seeds this much when it runs against its own throwaway emulator.
INVOKE_SEED = {"companies": 10, "persons": 60}
NO_RUNTIME = 2  # exit status: no running `leadlists serve` to talk to
# `serve` exits within this long of SIGTERM or Ctrl-C, whatever its threads still hold.
STOP_SECONDS = 4.0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.run(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadlists", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    endpoint_help = (
        "AWS endpoint URL to use instead (e.g. LocalStack's http://localhost:4566), "
        "or 'aws' for the ambient AWS configuration"
    )

    serve = commands.add_parser("serve", help="run the local runtime (HTTP API, pollers, ...)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000, help="0 picks a free port")
    serve.add_argument("--seed-companies", type=_count, default=200, metavar="N")
    serve.add_argument("--seed-persons", type=_count, default=2000, metavar="M")
    serve.add_argument("--endpoint", metavar="URL", help=endpoint_help)
    serve.add_argument(
        "--schedule-every",
        type=float,
        metavar="SECONDS",
        help="fire every schedule at this interval instead of its rate (for demos)",
    )
    serve.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    serve.add_argument(
        "--sync-refresh-max",
        type=_count,
        metavar="N",
        help="the synchronous budget (template parameter SyncRefreshMaxPersons, default 20000):"
        " catalogs larger than N refresh, search and export in the background",
    )
    serve.set_defaults(run=_serve)

    token = commands.add_parser(
        "token",
        help="print a bearer token the local runtime accepts (a member's; --role admin: admin)",
        description="Print a bearer token the local runtime accepts. Without --role it is a "
        f"non-admin member token (role {tokens.MEMBER_ROLE!r}); --role admin mints an admin one.",
    )
    token.add_argument("--org", required=True)
    token.add_argument("--user", required=True)
    token.add_argument(
        "--role",
        default=tokens.MEMBER_ROLE,
        help=f"the org_role claim: 'admin' for an admin, default {tokens.MEMBER_ROLE!r} (a "
        "non-admin member); '' for no role claim (also a member)",
    )
    token.add_argument("--ttl", type=int, default=tokens.DEFAULT_TTL, metavar="SECONDS")
    token.set_defaults(run=_token)

    key = commands.add_parser("key", help="API keys of the running `leadlists serve`")
    key_commands = key.add_subparsers(dest="key_command", required=True, metavar="COMMAND")
    create_key = key_commands.add_parser(
        "create",
        help="create an API key through the running API (as an admin of --org); prints the key",
    )
    create_key.add_argument("--org", required=True)
    create_key.add_argument(
        "--scopes", required=True, help="comma-separated: read, write, admin (e.g. read,write)"
    )
    create_key.add_argument("--name", default="cli key")
    create_key.add_argument("--rate-limit", type=int, metavar="N", help="requests a minute")
    create_key.add_argument("--expires-at", metavar="ISO8601", help="default: never expires")
    create_key.add_argument("--url", help="the API's base URL (default: the running serve's)")
    create_key.set_defaults(run=_key_create)

    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", metavar="FUNCTION_LOGICAL_ID")
    invoke.add_argument("--event", required=True, type=Path, metavar="FILE")
    invoke.add_argument("--endpoint", metavar="URL", help=endpoint_help)
    invoke.set_defaults(run=_invoke)

    seed = commands.add_parser("seed", help="fill the global catalog with synthetic records")
    seed.add_argument("--companies", type=_count, default=200, metavar="N")
    seed.add_argument("--persons", type=_count, default=2000, metavar="M")
    seed.add_argument("--endpoint", metavar="URL", help=endpoint_help)
    seed.set_defaults(run=_seed)

    load = commands.add_parser(
        "import",
        help="import catalog records from CSV or JSON lines (columns: see the README)",
        description="Upsert companies and persons into the catalog; `deleted: true` removes one. "
        "A file with any invalid record imports nothing unless --skip-invalid is given.",
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a .csv or .jsonl file")
    load.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid records of a file that has invalid ones (each is still reported)",
    )
    load.add_argument("--endpoint", metavar="URL", help=endpoint_help)
    load.set_defaults(run=_import)

    fuzz = commands.add_parser("fuzz", help="schemathesis against a fresh local runtime")
    fuzzing.add_arguments(fuzz)
    fuzz.set_defaults(run=fuzzing.run)
    return parser


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    local = logging.getLogger("leadlists_local")
    local.handlers[:] = [handler]
    local.setLevel(level)
    local.propagate = False


# ---------------------------------------------------------------------------------------- serve


def _serve_parameters(args: argparse.Namespace) -> dict[str, str]:
    """Template parameters the serve flags set."""
    parameters = {"LogLevel": args.log_level}
    if args.sync_refresh_max is not None:
        parameters["SyncRefreshMaxPersons"] = str(args.sync_refresh_max)
    return parameters


def _serve(args: argparse.Namespace) -> int:
    from leadlists_local.runtime import LocalRuntime

    _configure_logging(args.log_level)
    if args.seed_persons and not args.seed_companies:
        print("--seed-persons needs --seed-companies > 0", file=sys.stderr)
        return 2
    runtime = LocalRuntime(
        args.host,
        args.port,
        args.seed_companies,
        args.seed_persons,
        endpoint=args.endpoint,
        schedule_every=args.schedule_every,
        parameters=_serve_parameters(args),
    )
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    print("Starting the local runtime...", file=sys.stderr)
    try:
        base_url = runtime.start()
    except OSError as exc:
        print(f"Cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        state.write_runtime({"endpoint": runtime.endpoint or "aws", "baseUrl": base_url})
        _banner(runtime, args, sys.stdout)
        while not done.wait(0.5):
            pass
        print("\nStopping...", file=sys.stderr)
    finally:
        state.clear_runtime()
        stopped = stop_within(runtime, STOP_SECONDS)
    if not stopped:
        print(f"Not stopped after {STOP_SECONDS:g} s; exiting anyway.", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(0)  # threads still running (a long request, a poller) must not keep it alive
    print("Stopped.", file=sys.stderr)
    return 0


def stop_within(runtime: Any, seconds: float) -> bool:
    """Stop the runtime in a daemon thread; False when it has not finished within `seconds`."""
    stopper = threading.Thread(target=runtime.stop, name="stop", daemon=True)
    stopper.start()
    stopper.join(seconds)
    return not stopper.is_alive()


def _banner(runtime: Any, args: argparse.Namespace, out: TextIO) -> None:
    token = runtime.token()
    pollers = ", ".join(f"{p.function} <- {p.queue}" for p in runtime.pollers) or "none"
    schedules = ", ".join(f"{s.function} every {s.every:g} s" for s in runtime.schedules)
    hours = tokens.DEFAULT_TTL // 3600
    lines = [
        "",
        "leadlists local runtime",
        f"  API        {runtime.base_url}",
        f"  docs       {runtime.base_url}/docs (Swagger UI; Authorize with the token below)",
        f"  AWS        {runtime.aws.describe()}",
        f"  catalog    {args.seed_companies} companies, {args.seed_persons} persons",
        f"  pollers    {pollers}",
        f"  schedules  {schedules or 'none'}",
        f"  token      {tokens.DEMO_ORG} / {tokens.DEMO_USER} / {tokens.DEMO_ROLE}, "
        f"valid {hours} h (others: leadlists token --help)",
        "",
        f"export TOKEN={token}",
        f'curl -s -H "Authorization: Bearer $TOKEN" {runtime.base_url}/lists/{tokens.DEMO_ORG}',
        "",
        "# or with an API key (scopes read, write, admin):",
        f"export KEY=$(leadlists key create --org {tokens.DEMO_ORG} --scopes read,write)",
        f'curl -s -H "X-API-Key: $KEY" {runtime.base_url}/lists/{tokens.DEMO_ORG}',
        "",
        "Ctrl-C stops.",
    ]
    print("\n".join(lines), file=out, flush=True)


# ---------------------------------------------------------------------------------------- token


def _token(args: argparse.Namespace) -> int:
    print(tokens.mint(args.user, args.org, args.role or None, args.ttl))
    return 0


# ------------------------------------------------------------------------------------------ key


def _key_create(args: argparse.Namespace) -> int:
    """POST /api-keys on the running API with an admin token of --org: the key is made exactly as
    a client's would be. Prints the secret alone on stdout, the rest on stderr."""
    import requests

    base_url = args.url or (state.read_runtime() or {}).get("baseUrl")
    if not base_url:
        print("No `leadlists serve` is running (start it with `make run`).", file=sys.stderr)
        return NO_RUNTIME
    body: dict[str, Any] = {
        "name": args.name,
        "scopes": [s.strip() for s in args.scopes.split(",") if s.strip()],
    }
    if args.rate_limit is not None:
        body["rateLimitPerMinute"] = args.rate_limit
    if args.expires_at:
        body["expiresAt"] = args.expires_at
    # An admin of --org creates it: the template's admin role value, whatever `token` defaults to.
    admin = str(template.load()["Parameters"].get("AdminRole", {}).get("Default", "admin"))
    token = tokens.mint("leadlists-cli", args.org, admin, 300)
    try:
        answer = requests.post(
            f"{str(base_url).rstrip('/')}/api-keys",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    except requests.RequestException as exc:
        print(f"Cannot reach {base_url}: {exc}", file=sys.stderr)
        return NO_RUNTIME
    if answer.status_code != 201:
        print(f"Refused ({answer.status_code}): {answer.text}", file=sys.stderr)
        return 1
    created = answer.json()
    print(
        f"API key {created['id']} ({created['prefix']}...) of {args.org}: scopes "
        f"{','.join(created['scopes'])}, {created['rateLimitPerMinute']} requests a minute. "
        "Shown once; send it as the X-API-Key header.",
        file=sys.stderr,
    )
    print(created["key"])
    return 0


# --------------------------------------------------------------------------------------- invoke


def _invoke(args: argparse.Namespace) -> int:
    functions = template.functions()
    if args.function not in functions:
        known = ", ".join(sorted(functions))
        print(f"Unknown function {args.function!r}. Known: {known}", file=sys.stderr)
        return 2
    try:
        event = json.loads(args.event.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"Cannot read event {args.event}: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    # Function logs go to stderr, like `sam local invoke`: stdout is the result alone.
    with contextlib.redirect_stdout(sys.stderr):
        status, result = invoke_once(args.function, event, args.endpoint)
    print(json.dumps(result, indent=2), file=out)
    return status


def invoke_once(function: str, event: Any, endpoint: str | None = None) -> tuple[int, Any]:
    """One invocation with its own environment; (exit status, result or Lambda's error shape)."""
    from leadlists_local import lambdas
    from leadlists_local.aws import AwsEnvironment
    from leadlists_local.catalog import seed_catalog
    from leadlists_local.runtime import template_parameters

    environment = AwsEnvironment(endpoint, template_parameters())
    try:
        environment.open()
        if environment.embedded:
            seed_catalog(**INVOKE_SEED)
        try:
            return 0, lambdas.invoke(function, event)
        except Exception as exc:
            logging.getLogger("leadlists_local").exception("Invocation failed")
            return 1, {"errorMessage": str(exc), "errorType": type(exc).__name__}
    finally:
        environment.close()


# ---------------------------------------------------------------------------------- seed/import


def _target(endpoint: str | None) -> str | None:
    """The endpoint to fill: the given one, else the running `leadlists serve`'s."""
    if endpoint:
        return endpoint
    info = state.read_runtime()
    if info is None:
        print(
            "No `leadlists serve` is running (start it with `make run`), or pass --endpoint URL.",
            file=sys.stderr,
        )
        return None
    return str(info["endpoint"])


@contextlib.contextmanager
def _environment(endpoint: str) -> Any:
    from leadlists_local.aws import AwsEnvironment
    from leadlists_local.runtime import template_parameters

    environment = AwsEnvironment(endpoint, template_parameters())
    environment.open()
    try:
        yield environment
    finally:
        environment.close()


def _seed(args: argparse.Namespace) -> int:
    from leadlists_local.catalog import seed_catalog

    if args.persons and not args.companies:
        print("--persons needs --companies > 0", file=sys.stderr)
        return 2
    _configure_logging()  # the progress of a large catalog
    endpoint = _target(args.endpoint)
    if endpoint is None:
        return NO_RUNTIME
    with _environment(endpoint) as environment:
        seed_catalog(companies=args.companies, persons=args.persons)
        where = environment.describe()
    print(f"Seeded {args.companies} companies and {args.persons} persons into {where}.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from leadlists_local.catalog import import_file

    if not args.file.is_file():
        print(f"No such file: {args.file}", file=sys.stderr)
        return 2
    endpoint = _target(args.endpoint)
    if endpoint is None:
        return NO_RUNTIME
    try:
        with _environment(endpoint) as environment:
            report = import_file(args.file, args.skip_invalid)
            where = environment.describe()
    except ValueError as exc:
        print(f"Cannot import {args.file}: {exc}", file=sys.stderr)
        return 2
    print(import_summary(report.as_dict(), where))
    return 0 if report.imported else 1


def _count_of(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def import_summary(report: dict[str, Any], where: str) -> str:
    """An import report in words: what was written, then each rejected record."""
    upserted, deleted = report["upserted"], report["deleted"]
    rejected = report["rejectedCount"]
    if report["imported"]:
        lines = [
            f"Imported {_count_of(upserted['companies'], 'company', 'companies')}, "
            f"{_count_of(upserted['persons'], 'person', 'persons')} into {where}."
        ]
        if deleted["companies"] or deleted["persons"]:
            lines.append(
                f"Deleted {_count_of(deleted['companies'], 'company', 'companies')}, "
                f"{_count_of(deleted['persons'], 'person', 'persons')}."
            )
        if rejected:
            lines.append(f"Skipped {_count_of(rejected, 'invalid record', 'invalid records')}:")
    else:
        lines = [
            f"Imported nothing: {_count_of(rejected, 'problem', 'problems')} "
            "(fix them, or pass --skip-invalid to import the valid records):"
        ]
    lines += [f"  line {r['line']}: {r['reason']}" for r in report["rejected"]]
    if rejected > len(report["rejected"]):
        lines.append(f"  ... and {rejected - len(report['rejected'])} more")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
