"""`leadlists fuzz`: schemathesis against the local runtime, from the API's own OpenAPI document.

Starts a `LocalRuntime` on a free port with a small seeded catalog, mints an admin token and runs
`schemathesis run` on the runtime's `/openapi.json` with every check except the one API Gateway
itself fails (an unrouted method is 404 there, not 405). The exit status is schemathesis'.

    leadlists fuzz                      # bounded: what `make test` runs
    leadlists fuzz --max-examples 200 --max-time 900   # `make fuzz`
"""

from __future__ import annotations

import argparse
import os
import subprocess  # nosec B404 - a fixed argv, never a shell
import sys
import tempfile
from pathlib import Path

CONFIG = Path(__file__).with_name("schemathesis.toml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-examples", type=int, default=10, help="per operation and phase")
    parser.add_argument("--max-time", type=int, help="stop after this many seconds")
    parser.add_argument("--seed", type=int, help="replay a run (schemathesis prints its seed)")
    parser.add_argument("--workers", default="2", help="concurrent schemathesis workers")


def command(base_url: str, token: str, args: argparse.Namespace) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leadlists fuzz", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
