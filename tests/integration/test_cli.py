"""The `leadlists` command in-process: tokens, `invoke` with every sample event, error exits."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from leadlists_local import cli, state, template, tokens
from leadlists_local import runtime as runtime_module

EVENTS = sorted((template.ROOT / "events").glob("*.json"))
GET_LIST_EVENT = str(template.ROOT / "events" / "get_list.json")
# An event file is named for its function (save_list.json -> SaveListFunction); list here only
# the files that cannot follow that rule.
FUNCTION_OF: dict[str, str] = {}


def function_for(event_file: Path) -> str:
    return FUNCTION_OF.get(event_file.stem) or (
        "".join(word.title() for word in event_file.stem.split("_")) + "Function"
    )


@pytest.fixture(autouse=True)
def state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway state folder: tests never touch the developer's signing key or runtime."""
    folder = tmp_path / "state"
    monkeypatch.setenv(state.STATE_ENV, str(folder))
    return folder


def test_token_prints_a_token_the_runtime_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["token", "--org", "org_x", "--user", "user_x", "--ttl", "120"]) == 0
    token = capsys.readouterr().out.strip()
    claims = tokens.verify(token)
    # Without --role: a non-admin member, as the contract says.
    assert (claims["sub"], claims["org_id"], claims["org_role"]) == ("user_x", "org_x", "member")
    assert (claims["iss"], claims["aud"]) == (tokens.ISSUER, tokens.AUDIENCE)
    assert 110 <= claims["exp"] - claims["iat"] <= 120


def test_token_role_admin_mints_an_admin_and_help_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["token", "--org", "org_x", "--user", "user_x", "--role", "admin"]) == 0
    assert tokens.verify(capsys.readouterr().out.strip())["org_role"] == "admin"
    with pytest.raises(SystemExit):
        cli.main(["token", "--help"])
    assert "non-adminmembertoken" in "".join(capsys.readouterr().out.split())  # wraps anywhere


def test_token_role_can_be_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["token", "--org", "org_x", "--user", "user_x", "--role", ""]) == 0
    assert "org_role" not in tokens.verify(capsys.readouterr().out.strip())


def test_signing_key_is_private_and_stable(state_folder: Path) -> None:
    first = tokens.signing_key()
    path = state_folder / tokens.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.signing_key() == first
    assert len(first) >= 32


def test_token_from_another_key_is_rejected(tmp_path: Path) -> None:
    foreign = tokens.mint("user_x", "org_x", key=tokens.signing_key(tmp_path / "other"))
    with pytest.raises(Exception, match="Signature"):
        tokens.verify(foreign)


def test_every_function_has_a_sample_event() -> None:
    covered = {function_for(path) for path in EVENTS}
    missing = sorted(set(template.functions()) - covered)
    assert not missing, f"no events/<name>.json for {', '.join(missing)}"


@pytest.mark.parametrize("event_file", EVENTS, ids=[p.stem for p in EVENTS])
def test_invoke_every_sample_event(event_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    function = function_for(event_file)
    assert function in template.functions(), f"{event_file.name}: no function {function}"
    status = cli.main(["invoke", function, "--event", str(event_file)])
    out = capsys.readouterr().out
    assert status == 0, out
    result: Any = json.loads(out)  # stdout is the result alone; logs go to stderr
    if isinstance(result, dict) and "statusCode" in result:
        assert result["statusCode"] < 500, result
        if event_file.stem == "save_list":
            assert result["statusCode"] == 200, result
    else:
        assert not (result or {}).get("batchItemFailures"), result


def test_invoke_leaves_the_environment_as_it_was() -> None:
    before = dict(os.environ)
    assert cli.main(["invoke", "GetListFunction", "--event", GET_LIST_EVENT]) == 0
    assert dict(os.environ) == before


def test_invoke_unknown_function_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["invoke", "NoSuchFunction", "--event", GET_LIST_EVENT]) == 2
    assert "NoSuchFunction" in capsys.readouterr().err


@pytest.mark.parametrize("content", [None, "{not json"])
def test_invoke_unreadable_event_exits_2(tmp_path: Path, content: str | None) -> None:
    event = tmp_path / "event.json"
    if content is not None:
        event.write_text(content)
    assert cli.main(["invoke", "GetListFunction", "--event", str(event)]) == 2


@pytest.mark.parametrize("command", [["seed"], ["import", __file__]])
def test_seed_and_import_need_a_running_runtime(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(command) == cli.NO_RUNTIME
    assert "leadlists serve" in capsys.readouterr().err


def test_stale_runtime_file_counts_as_no_runtime(state_folder: Path) -> None:
    state_folder.mkdir(parents=True, exist_ok=True)
    (state_folder / state.RUNTIME_FILE).write_text(
        json.dumps({"endpoint": "http://127.0.0.1:9", "pid": 2**22 + 12345})
    )
    assert state.read_runtime() is None
    assert cli.main(["seed"]) == cli.NO_RUNTIME


def test_serve_sets_the_synchronous_budget(aws: dict) -> None:
    from leadlists_local import resources

    args = cli._parser().parse_args(["serve", "--sync-refresh-max", "50"])
    parameters = runtime_module.template_parameters(cli._serve_parameters(args))
    assert resources.environment_all(aws, parameters)["SYNC_REFRESH_MAX_PERSONS"] == "50"
    default = cli._parser().parse_args(["serve"])
    parameters = runtime_module.template_parameters(cli._serve_parameters(default))
    assert resources.environment_all(aws, parameters)["SYNC_REFRESH_MAX_PERSONS"] == "20000"


def test_serve_stops_within_its_deadline_whatever_the_runtime_holds() -> None:
    import threading
    import time

    class Stuck:
        """A runtime whose stop never returns (a request or a poller that will not end)."""

        def __init__(self) -> None:
            self.release = threading.Event()

        def stop(self) -> None:
            self.release.wait(30)

    stuck = Stuck()
    started = time.monotonic()
    assert cli.stop_within(stuck, 0.2) is False
    assert time.monotonic() - started < 1
    stuck.release.set()

    class Quick:
        def stop(self) -> None:
            pass

    assert cli.stop_within(Quick(), 5) is True
    assert cli.STOP_SECONDS < 5  # serve's own budget under the 5 s promise


def test_seeding_a_large_catalog_shows_progress(
    aws: dict[str, Any], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadlists_local import catalog as local_catalog

    monkeypatch.setattr(local_catalog, "SEED_PROGRESS_EVERY", 10)
    # A CLI test before this one may have pointed the runtime's logger at stderr only.
    monkeypatch.setattr(local_catalog.logger, "propagate", True)
    with caplog.at_level("INFO", logger="leadlists_local"):
        local_catalog.seed_catalog(companies=2, persons=25)
    lines = [r.getMessage() for r in caplog.records if "Seeding the catalog" in r.getMessage()]
    assert lines == [f"Seeding the catalog: {n} of 25 persons written" for n in (10, 20, 25)]
