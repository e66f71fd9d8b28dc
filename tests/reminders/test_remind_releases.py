"""``remind`` lists releases by loved creators and events in the shopper's city (#16 §4), from a
real vault file, offline: text, ``--json``, ``-p``, ``--occasions-only``, the window, hooks, and
the fast path (no pipeline, no pydantic, when no release or event is stored)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from profilekeeper.cli import reminders as remind_cli
from profilekeeper.model import Retailer, Suggestion
from tests.conftest import PASSPHRASE, run_cli, run_main
from tests.reminders.conftest import TODAY

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
HEAVY = ("sqlalchemy", "sqlmodel", "textual", "httpx", "keyring")


def remind(*extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return run_main("remind", "--today", TODAY.isoformat(), *extra, env={**UNLOCK, **(env or {})})


def test_lists_loved_releases_and_local_events_after_the_occasions(stocked, fast_kdf) -> None:
    result = remind()
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert len(lines) == 3, lines
    assert "Sam turns 40" in lines[0]
    assert "Aurora [bold]Lines[/bold]" in lines[1] and "in 11 days" in lines[1]
    assert "(new album by Velvet Static, whom you love — out 12 May)" in lines[1]
    assert "Velvet Static live" in lines[2]
    assert "concert in Lisbon on 20 May — Velvet Static, whom you love" in lines[2]
    # Oslo: not my city; Loud: a never-creator; Hidden Tracks: my rule; Far Off: past the window
    for absent in ("Oslo", "Loud", "Hidden Tracks", "Far Off", "Kite"):
        assert absent not in result.out


def test_occasions_only_and_the_window(stocked, fast_kdf) -> None:
    only = remind("--occasions-only")
    assert only.code == 1 and len(only.out.splitlines()) == 1
    # From 2 May for 5 days: no occasion, but the release of 12 May is not in it either.
    assert remind("2026-05-02", "5d").out.startswith("Nothing due from 2026-05-02")
    # From 13 May: Aurora Lines is out (listed as out now), the concert is in 7 days.
    later = remind("2026-05-13", "1w").out.splitlines()
    assert [line.split()[0:2] for line in later] == [["out", "now"], ["in", "7"]]
    # Nothing at all: exit 0. Only a release or event: exit 1, as for an occasion.
    assert remind("2026-05-02", "5d").code == 0
    assert remind("2026-05-13", "3d").code == 1  # a release out: its date has come


def test_json_and_parsable_carry_the_documented_keys(stocked, fast_kdf) -> None:
    payload = json.loads(remind("--json").out)
    assert set(payload) == {"days", "due", "coming", "corrupted"}
    assert all(list(r) == list(remind_cli.COLUMNS) for r in payload["due"] + payload["coming"])
    first = payload["coming"][0]
    assert {k: v for k, v in first.items() if v not in (None, [])} == {
        "kind": "release", "on": "2026-05-12", "days_until": 11,
        "headline": "new album by Velvet Static, whom you love — out 12 May",
        "suggestion_id": stocked["release"].id, "title": "Aurora [bold]Lines[/bold]",
        "creators": ["Velvet Static"], "shop": "Shop A[/]", "city": "",
        "url": "https://a.example/aurora",
    }  # fmt: skip
    assert payload["coming"][1]["city"] == "Lisbon"
    assert payload["due"][0]["suggestion_id"] is None
    lines = remind("-p").out.splitlines()
    assert len(lines) == 3 and all(line.count("\t") == len(remind_cli.COLUMNS) - 1
                                   for line in lines)  # fmt: skip
    assert [line.split("\t")[3] for line in lines] == ["birthday", "release", "event"]
    assert "\x1b" not in remind("-p").out + remind().out


def test_a_hook_runs_for_a_release_on_its_day_with_what_it_is(stocked, fast_kdf,
                                                              tmp_path: Path) -> None:  # fmt: skip
    log = tmp_path / "hook.log"
    hook = f'echo "$PROFILEKEEPER_KIND|$PROFILEKEEPER_TITLE|$PROFILEKEEPER_LEAD|' \
           f'$PROFILEKEEPER_PERSON$PROFILEKEEPER_PASSPHRASE" >> {log}'  # fmt: skip
    result = run_main("remind", "--today", "2026-05-12", "--days", "1", "--exec", hook,
                      env=UNLOCK)  # fmt: skip
    assert result.code == 1, result.err
    assert log.read_text().splitlines() == ["release|Aurora [bold]Lines[/bold]|0|"]
    log.unlink()
    run_main("remind", "--today", "2026-05-13", "--days", "10", "--exec", hook, env=UNLOCK)
    assert log.read_text().splitlines() == ["event|Velvet Static live|7|"]  # a week before
    log.unlink()
    run_main("remind", "--today", "2026-05-14", "--days", "10", "--exec", hook, env=UNLOCK)
    assert not log.exists()  # no point today, and each passed one has fired: nothing runs


def test_every_hook_variable_is_set_for_either_kind(stocked, fast_kdf,
                                                   tmp_path: Path) -> None:  # fmt: skip
    """A hook under ``set -u`` reads an occasion's variables and a release's: each is set for
    both (empty where it does not apply), so one script serves both kinds."""
    log = tmp_path / "hook.log"
    hook = ('set -u; echo "$PROFILEKEEPER_KIND|$PROFILEKEEPER_PERSON|$PROFILEKEEPER_NUMBER|'
            '$PROFILEKEEPER_OCCASION_ID|$PROFILEKEEPER_TITLE|$PROFILEKEEPER_CREATORS|'
            f'$PROFILEKEEPER_SHOP|$PROFILEKEEPER_URL|$PROFILEKEEPER_SUGGESTION_ID" >> {log}')
    occasion = remind("--occasions-only", "--exec", hook)
    assert occasion.code == 1 and "failed" not in occasion.err, occasion.err
    (kind, person, number, occasion_id, *coming), = [line.split("|")
                                                      for line in log.read_text().splitlines()]
    assert (kind, person, number, coming) == ("birthday", "Sam", "40", ["", "", "", "", ""])
    assert occasion_id
    log.unlink()
    release = run_main("remind", "--today", "2026-05-12", "--days", "1", "--exec", hook,
                       env=UNLOCK)  # fmt: skip
    assert release.code == 1 and "failed" not in release.err, release.err
    (kind, person, number, occasion_id, title, creators, shop, url, sid), = [
        line.split("|") for line in log.read_text().splitlines()]
    assert (kind, person, number, occasion_id) == ("release", "", "", "")
    assert (title, creators, url) == ("Aurora [bold]Lines[/bold]", "Velvet Static",
                                      "https://a.example/aurora")  # fmt: skip
    assert shop and sid


def test_the_desktop_notification_names_releases_and_events_too(
    stocked, fast_kdf, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    log = tmp_path / "sent"
    fake = tmp_path / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    fake.chmod(0o755)
    result = remind("--notify", env={"PATH": f"{tmp_path}:/bin:/usr/bin"})
    assert result.code == 1, result.err
    sent = log.read_text()
    assert "1 gift reminder, 2 new releases and events" in sent
    assert "Sam turns 40" in sent and "Aurora [bold]Lines[/bold]" in sent


def test_a_failing_hook_names_no_title(stocked, fast_kdf) -> None:
    result = run_main("remind", "--today", "2026-05-12", "--days", "1", "--exec", "exit 3",
                      env=UNLOCK)  # fmt: skip
    assert "release or event 1 of 1 failed (exit status 3)" in result.err
    assert "Aurora" not in result.err and "Velvet" not in result.err


def _loaded_modules(*argv: str) -> set[str]:
    probe = (
        "import sys\n"
        "from profilekeeper.cli import main\n"
        f"code = main(['remind', '--today', '{TODAY.isoformat()}', *{list(argv)!r}])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, **UNLOCK}, timeout=60)  # fmt: skip
    assert done.returncode == 1, done.stderr
    return set(done.stderr.splitlines()[-1].split())


def test_the_fast_path_takes_the_pipeline_only_when_a_release_or_event_is_stored(
    vault, family  # type: ignore[no-untyped-def]
) -> None:
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add(Suggestion(shop.id, "1", "product", "Kite"))
    vault.close()
    loaded = _loaded_modules()
    assert "profilekeeper.suggestions" not in loaded and "pydantic" not in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_with_releases_the_pipeline_runs_still_off_the_heavy_modules_and_pydantic(
    stocked,  # type: ignore[no-untyped-def]
) -> None:
    loaded = _loaded_modules()
    assert "profilekeeper.suggestions.pipeline" in loaded  # it did judge them
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    assert "pydantic" not in loaded  # ~0.1 s: the pipeline needs none of the wire models
    assert "profilekeeper.model" not in _loaded_modules("--occasions-only")
    result = run_cli("remind", "--today", TODAY.isoformat(), env=UNLOCK)  # a real process too
    assert result.code == 1 and "Aurora" in result.out


def test_a_release_is_listed_until_fourteen_days_after_it_came_out(stocked, fast_kdf) -> None:
    """Aurora Lines is out on 12 May: listed ("out now") by every run up to 26 May, the 14th day
    after, and by none from 27 May, dismissed or not (releases.LISTED_AFTER_RELEASE)."""
    from profilekeeper.suggestions.releases import LISTED_AFTER_RELEASE

    assert LISTED_AFTER_RELEASE == 14
    assert "at most 14 days before" in " ".join(run_main("remind", "--help").out.split())

    def aurora(start: str) -> list[dict[str, object]]:
        result = remind(start, "1w", "--json")
        assert result.code in (0, 1), result.err
        return [c for c in json.loads(result.out)["coming"] if c["title"].startswith("Aurora")]

    for start, days_until in (("2026-05-12", 0), ("2026-05-13", -1), ("2026-05-26", -14)):
        [listed] = aurora(start)
        assert (listed["on"], listed["days_until"]) == ("2026-05-12", days_until), start
    assert aurora("2026-05-27") == [] and aurora("2026-06-30") == []
    text = remind("2026-05-26", "1w").out
    assert "Aurora [bold]Lines[/bold]" in text and "out now" in text
    assert "Aurora" not in remind("2026-05-27", "1w").out
    parsable = remind("2026-05-27", "1w", "-p").out
    assert "Aurora" not in parsable
