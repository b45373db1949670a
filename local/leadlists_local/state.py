"""The runtime's local state folder: the dev signing key and the running server's address.

Lives in `.leadlists/` at the project root (gitignored); LEADLISTS_STATE_DIR points elsewhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from leadlists_local import template

STATE_ENV = "LEADLISTS_STATE_DIR"
RUNTIME_FILE = "runtime.json"


def state_dir() -> Path:
    """The state folder, created private (0700) on first use."""
    folder = Path(os.environ.get(STATE_ENV) or template.ROOT / ".leadlists")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def write_runtime(info: dict[str, Any]) -> Path:
    """Publish a running `leadlists serve` (its AWS endpoint) for `seed` and `import`."""
    path = state_dir() / RUNTIME_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**info, "pid": os.getpid()}, indent=2) + "\n")
    tmp.replace(path)
    return path


def clear_runtime() -> None:
    """Remove the published runtime, but only when it is this process's."""
    path = state_dir() / RUNTIME_FILE
    info = _read(path)
    if info is not None and info.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def read_runtime() -> dict[str, Any] | None:
    """The running `leadlists serve`, or None when there is none (a stale file is ignored)."""
    info = _read(state_dir() / RUNTIME_FILE)
    if info is None or not isinstance(info.get("pid"), int) or not _alive(info["pid"]):
        return None
    return info


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
