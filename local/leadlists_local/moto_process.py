"""The embedded emulator's own process: `python -m leadlists_local.moto_process`.

Starts moto's threaded server on a free loopback port with the project's DynamoDB shims,
prints its URL on one line, and serves until its stdin closes (the parent stopped or died), so
the emulator never outlives the runtime that started it.
"""

from __future__ import annotations

import logging
import sys

QUIET_LOGGERS = ("werkzeug", "moto", "botocore", "urllib3")


def main() -> int:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    from leadlists_local import moto_shims

    moto_shims.install()  # the server is threaded: serialize DynamoDB, fast transactions
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"http://{host}:{port}", flush=True)
    try:
        sys.stdin.read()  # EOF when the parent closes the pipe or exits
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
