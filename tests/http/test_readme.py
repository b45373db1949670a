"""The README's walkthroughs run as written: every fenced `sh` block, in order, in one bash
session against the module's LocalRuntime, as a reader pastes them against `make run`.

Blocks fenced `bash` are not run (set-up commands, other endpoints, deploys); walkthrough steps
are fenced `sh`. Each block must exit 0, and no block may answer an error body unless the
README shows one there (a `# {"code": ...}` comment).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from http_target import Target

from leadlists_local import state, template

README = template.ROOT / "README.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARK = "@@readme-block"
ERROR_BODY = re.compile(r'"code":\s*"[A-Z_]+"')


def sh_blocks(text: str) -> list[str]:
    return [match.group(1) for match in BLOCK.finditer(text)]


def script(blocks: list[str]) -> str:
    """One bash session: a failing command stops it and names its block."""
    lines = [
        "set -eE -o pipefail",
        f"trap 'echo \"{MARK} failed in block $__block: $BASH_COMMAND\" >&2' ERR",
    ]
    for n, block in enumerate(blocks):
        lines += [f"__block={n}", f"echo '{MARK} {n}'", block.rstrip("\n")]
    lines.append(f"echo '{MARK} end'")
    return "\n".join(lines) + "\n"


def outputs(stdout: str) -> dict[str, str]:
    """Each block's output by its number ("end" marks a complete run)."""
    parts = re.split(rf"^{MARK} (\S+)\n", stdout, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_markers_find_the_walkthroughs() -> None:
    blocks = sh_blocks(README.read_text())
    assert len(blocks) >= 15
    assert "export TOKEN=$(.venv/bin/leadlists token" in blocks[0]
    assert any("/lists/save" in b for b in blocks) and any("add-prospects" in b for b in blocks)
    assert outputs(f"{MARK} 0\na\n{MARK} end\n") == {"0": "a\n", "end": ""}


@pytest.mark.local_only("mints its tokens with the runtime's signing key (`leadlists token`)")
def test_readme_walkthroughs_run_top_to_bottom(http_target: Target, tmp_path: Path) -> None:
    runtime = http_target.runtime
    blocks = sh_blocks(README.read_text())
    # The blocks write files (members.csv...): a scratch folder that still finds `.venv/bin`.
    (tmp_path / ".venv").symlink_to(template.ROOT / ".venv")
    env = {
        **os.environ,
        "URL": runtime.base_url,
        state.STATE_ENV: str(runtime.state_dir or state.state_dir()),
    }
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run(  # noqa: S603 (the README's own blocks)
        [bash, "-c", script(blocks)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    out = outputs(done.stdout)
    assert set(out) == {*map(str, range(len(blocks))), "end"}

    for n, block in enumerate(blocks):
        expects_error = '# {"code":' in block
        assert bool(ERROR_BODY.search(out[str(n)])) == expects_error, (block, out[str(n)])

    def answer(fragment: str) -> str:
        return next(out[str(n)] for n, b in enumerate(blocks) if fragment in b)

    # The saved list was created, updated at its current version and deleted.
    update = json.loads(answer('"version": \'"$VERSION"\''))
    assert update["maxContacts"] == 100 and update["version"] >= 2
    assert answer('-X DELETE "$URL/lists/$LIST"').strip() == "200"
    assert "HTTP/1.1 200" in answer('"$URL/lists/org_demo?limit=10"')
    # Lead lists: the picked prospects were added, the continuation answered its next offset.
    selection = answer('"offset": 10').splitlines()
    assert json.loads(selection[-3])["addedCount"] == 3  # the ids picked
    assert "nextOffset" in json.loads(selection[-1])
    # The exports wrote CSV files with a header row.
    assert (tmp_path / "members.csv").read_text().startswith("id,")
    assert (tmp_path / "companies.csv").read_text().startswith("id,")


@pytest.mark.local_only("reads the local gateway's log")
def test_a_refused_token_is_logged_with_its_reason_never_answered_with_it(
    http_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadlists.services import authorizer

    # The authorizer's own log call, caught where it is made: pytest may have pointed the
    # Logger's handler at an earlier test's capture.
    logged: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        authorizer.logger, "warning", lambda msg, *_, **kw: logged.append((msg, kw.get("extra")))
    )
    expired = http_target.runtime.token(ttl=-3600)
    answer = requests.get(
        http_target.url("/lists/org_demo"),
        headers={"Authorization": f"Bearer {expired}"},
        timeout=30,
    )
    assert answer.status_code == 401 and answer.json()["code"] == "UNAUTHORIZED"
    assert "expired" not in answer.text.lower()
    reasons = [
        str((extra or {}).get("reason", "")) for msg, extra in logged if msg == "Token rejected"
    ]
    assert any("expired" in reason.lower() for reason in reasons), logged
