"""`leadlists fuzz`: schemathesis against the local runtime, from the API's own OpenAPI document.

Starts a `LocalRuntime` on a free port with a small seeded catalog, mints an admin token and runs
`schemathesis run` on the runtime's `/openapi.json` with every check except the one API Gateway
itself fails (an unrouted method is 404 there, not 405). The exit status is schemathesis'.

    leadlists fuzz                      # bounded: what `make test` runs
    leadlists fuzz --max-examples 200 --max-time 900   # `make fuzz`

With `--base-url URL --token-cmd CMD` (`make e2e` passes LEADLISTS_BASE_URL and
LEADLISTS_TOKEN_CMD) it fuzzes that API instead, a deployed stack included: the schema is the
checked-in `openapi.json` (a stack does not serve its documentation) and the admin token of an
organization of the run's own comes from `CMD --org ORG --user USER --role admin`, the
convention of tests/http_target.py.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess  # nosec B404 - a fixed argv, never a shell
import sys
import tempfile
import uuid
from pathlib import Path

CONFIG = Path(__file__).with_name("schemathesis.toml")
# The document `make openapi` writes and CI checks against the code.
OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.json"
BASE_URL_ENV = "LEADLISTS_BASE_URL"
TOKEN_CMD_ENV = "LEADLISTS_TOKEN_CMD"  # noqa: S105  # nosec B105 (a variable name)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-examples", type=int, default=10, help="per operation and phase")
    parser.add_argument("--max-time", type=int, help="stop after this many seconds")
    parser.add_argument("--seed", type=int, help="replay a run (schemathesis prints its seed)")
    parser.add_argument("--workers", default="2", help="concurrent schemathesis workers")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help=f"fuzz this API instead of a fresh local runtime (make e2e passes ${BASE_URL_ENV})",
    )
    parser.add_argument(
        "--token-cmd",
        metavar="CMD",
        help="with --base-url: prints a token for `--org ORG --user USER --role admin` "
        f"(make e2e passes ${TOKEN_CMD_ENV}; e.g. 'leadlists token')",
    )


def token_from_command(command: str | list[str], org: str, user: str, role: str) -> str:
    """Run a token command (`CMD --org ORG --user USER --role ROLE`); its last stdout line."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    argv += ["--org", org, "--user", user, "--role", role]
    done = subprocess.run(  # noqa: S603  # nosec B603 - the user's own command, no shell
        argv, capture_output=True, text=True, timeout=120, check=False
    )
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"token command failed for org={org!r} user={user!r} role={role!r} "
            f"(exit {done.returncode}): {done.stderr.strip()[-2000:]}"
        )
    return lines[-1]


def command(
    base_url: str, token: str, args: argparse.Namespace, schema: str | None = None
) -> list[str]:
    location = [schema, "--url", base_url] if schema else [f"{base_url}/openapi.json"]
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        *location,
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
    ]
    if args.max_time:
        cmd += ["--max-time", str(args.max_time)]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    return cmd


def run(args: argparse.Namespace) -> int:
    if getattr(args, "base_url", None):
        return run_remote(args)
    from leadlists_local import fuzz_hooks, tokens
    from leadlists_local.runtime import LocalRuntime  # loads the emulator: only when fuzzing

    with (
        tempfile.TemporaryDirectory() as state,
        LocalRuntime(port=0, seed_companies=20, seed_persons=200, state_dir=Path(state)) as rt,
    ):
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "leadlists_local.fuzz_hooks",
            fuzz_hooks.ORG_ENV: tokens.DEMO_ORG,  # runtime.token() is this organization's admin
        }
        print(f"Fuzzing {rt.base_url} from its /openapi.json", file=sys.stderr, flush=True)
        return subprocess.call(command(rt.base_url, rt.token(), args), env=env)  # noqa: S603  # nosec B603


def run_remote(args: argparse.Namespace) -> int:
    """Fuzz an API that is already running, as an admin of a fresh organization."""
    from leadlists_local import fuzz_hooks

    if not args.token_cmd:
        print(f"--base-url needs --token-cmd (or ${TOKEN_CMD_ENV})", file=sys.stderr)
        return 2
    base_url = args.base_url.rstrip("/")
    org = f"org_fuzz_{uuid.uuid4().hex[:8]}"
    try:
        token = token_from_command(args.token_cmd, org, "user_fuzz", "admin")
    except (OSError, RuntimeError) as exc:
        print(f"Cannot get a token: {exc}", file=sys.stderr)
        return 2
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "leadlists_local.fuzz_hooks",
           fuzz_hooks.ORG_ENV: org}  # fmt: skip
    print(f"Fuzzing {base_url} from {OPENAPI_FILE.name} as {org}", file=sys.stderr, flush=True)
    cmd = command(base_url, token, args, schema=str(OPENAPI_FILE))
    return subprocess.call(cmd, env=env)  # noqa: S603  # nosec B603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leadlists fuzz", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
