"""Release and event hooks keep a mark, as occasions' do (#16 §4): through the real CLI with
``--exec`` writing to a file and ``--today`` for the day. Once per point however often
``remind`` runs; a missed point made up by the next run while the item is still listed, and
never after; a failure tried again; hidden items never; the mark sealed, surviving a sync that
stores the item afresh and the app's own write of the profile."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from profilekeeper.model import Retailer, Suggestion
from profilekeeper.notify_marks import COMING_MARKS, mark_coming
from tests.conftest import PASSPHRASE, run_cli, run_main

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
FIELDS = ("KIND", "TITLE", "DATE", "DAYS_LEFT", "LEAD", "SHOP")


@pytest.fixture
def hook(tmp_path: Path) -> tuple[str, Path]:
    """A hook command that logs one JSON line per call with its fields."""
    log = tmp_path / "hook.log"
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, os\n"
        f"fields = {{k: os.environ.get('PROFILEKEEPER_' + k, '') for k in {FIELDS!r}}}\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(fields) + '\\n')\n"
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", log


def calls(log: Path) -> list[tuple[str, ...]]:
    """Each call for a release or an event as (kind, title's first word, days left, lead)."""
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    return [(r["KIND"], r["TITLE"].split()[0], r["DAYS_LEFT"], r["LEAD"]) for r in rows
            if r["KIND"] in ("release", "event")]  # Sam's birthday (10 May) fires too


def occasion_calls(log: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return [(r["KIND"], r["LEAD"]) for r in rows if r["KIND"] not in ("release", "event")]


def remind_on(day: str, command: str, days: int = 10) -> object:
    result = run_main("remind", "--today", day, "--days", str(days), "--exec", command,
                      env=UNLOCK)  # fmt: skip
    assert result.code in (0, 1), result.err
    return result


# Aurora Lines (by Velvet Static, loved) is out on 12 May; "Velvet Static live" is in Lisbon,
# the shopper's city, on 20 May (stocked: tests/reminders/conftest.py).
AURORA_ON_ITS_DAY = ("release", "Aurora", "0", "0")
CONCERT_A_WEEK_BEFORE = ("event", "Velvet", "7", "7")
CONCERT_ON_THE_DAY = ("event", "Velvet", "0", "0")


def test_every_day_twice_fires_each_point_once(stocked, fast_kdf, hook) -> None:
    command, log = hook
    fired: dict[str, list[tuple[str, ...]]] = {}
    for day in range(5, 29):
        before = len(calls(log))
        for _ in range(2):  # cron runs at 9:00 and 18:00
            remind_on(f"2026-05-{day:02}", command)
        if len(calls(log)) > before:
            fired[f"05-{day:02}"] = calls(log)[before:]
    assert fired == {
        "05-12": [AURORA_ON_ITS_DAY],
        "05-13": [CONCERT_A_WEEK_BEFORE],
        "05-20": [CONCERT_ON_THE_DAY],
    }


@pytest.mark.parametrize(("first_run", "expected"), [
    ("2026-05-13", [("release", "Aurora", "-1", "0")]),
    ("2026-05-26", [("release", "Aurora", "-14", "0")]),  # the last day it is listed
    ("2026-05-27", []),  # listed no more: no news, and no hook
])  # fmt: skip
def test_a_missed_release_day_is_made_up_while_it_is_listed(
    stocked, fast_kdf, hook, first_run, expected  # type: ignore[no-untyped-def]
) -> None:
    """The machine was off on 12 May: the first run after it fires Aurora Lines' hook, once."""
    command, log = hook
    remind_on(first_run, command, days=1)
    remind_on(first_run, command, days=1)
    assert [c for c in calls(log) if c[0] == "release"] == expected
    remind_on("2026-05-27", command, days=1)
    assert [c for c in calls(log) if c[0] == "release"] == expected


def test_a_missed_event_point_is_made_up_once_and_never_after_the_day(stocked, fast_kdf,
                                                                      hook) -> None:  # fmt: skip
    command, log = hook
    remind_on("2026-05-19", command, days=1)  # the week-before point, a week late: once
    remind_on("2026-05-19", command, days=1)
    remind_on("2026-05-20", command, days=1)
    remind_on("2026-05-20", command, days=1)
    assert [c for c in calls(log) if c[0] == "event"] == [
        ("event", "Velvet", "1", "7"), CONCERT_ON_THE_DAY]
    log.unlink()
    remind_on("2026-05-21", command)
    assert calls(log) == []  # past: not listed, nothing fires


def test_both_points_missed_fire_once_with_the_nearest(stocked, fast_kdf, hook) -> None:
    command, log = hook
    remind_on("2026-05-20", command, days=1)
    remind_on("2026-05-20", command, days=1)
    assert [c for c in calls(log) if c[0] == "event"] == [CONCERT_ON_THE_DAY]


def test_a_failing_hook_is_tried_again_and_then_kept(stocked, fast_kdf, hook) -> None:
    command, log = hook
    failed = remind_on("2026-05-12", "exit 3", days=1)
    assert "release or event 1 of 1 failed (exit status 3); it is tried again on the next " \
           "run" in failed.err  # fmt: skip
    assert "Aurora" not in failed.err
    remind_on("2026-05-12", command, days=1)
    remind_on("2026-05-12", command, days=1)
    assert calls(log) == [AURORA_ON_ITS_DAY]


def test_dismissed_snoozed_and_hidden_by_a_rule_never_fire(stocked, vault_path, fast_kdf,
                                                           hook) -> None:  # fmt: skip
    """Loud (a never-creator) and Hidden Tracks (a rule) are out on 3 and 4 May; Aurora Lines
    is dismissed; the concert snoozed until the 14th, then shown: it fires after, once."""
    from profilekeeper.services.suggestions import judge
    from profilekeeper.store.vault import Vault

    command, log = hook
    assert run_cli("feedback", stocked["release"].id, "dismiss", env=UNLOCK).code == 0
    with Vault.open(vault_path) as app:  # as `feedback ID snooze --until` does, on 1 May
        app.unlock(PASSPHRASE)
        [concert] = [s for s in app.list(Suggestion) if s.title == "Velvet Static live"]
        judge(app, concert.id, "snooze", until=date(2026, 5, 14), today=date(2026, 5, 1))
    for day in range(3, 15):
        remind_on(f"2026-05-{day:02}", command)
    assert calls(log) == []
    remind_on("2026-05-15", command)
    remind_on("2026-05-16", command)
    assert calls(log) == [("event", "Velvet", "5", "7")]


def _raw(vault_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in vault_path.parent.glob(vault_path.name + "*"))


def test_the_mark_is_sealed_and_names_no_title_or_shop(vault, vault_path, fast_kdf,
                                                       hook) -> None:  # fmt: skip
    from dataclasses import replace

    from profilekeeper.model import Interest, Sentiment
    from profilekeeper.store.vault import Vault

    command, log = hook
    canary_title, canary_shop = "Zyxwv Canary Release", "Qwfpg Canary Shop"
    vault.save(replace(vault.profile(), city="Lisbon"))
    shop = vault.add(Retailer(canary_shop, "https://a.example"))
    vault.add(Interest("music", "Velvet Static", Sentiment.LOVE))
    vault.add(Suggestion(shop.id, "1", "release", canary_title, creators=["Velvet Static"],
                         details={"release_date": "2026-05-12"}))
    vault.close()
    remind_on("2026-05-12", command, days=1)
    assert [c[1] for c in calls(log)] == ["Zyxwv"]
    assert json.loads(log.read_text())["SHOP"] == canary_shop
    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        marks = reopened.profile().settings[COMING_MARKS]
        assert reopened.profile().city == "Lisbon"  # the rest of the profile kept
    [(key, state)] = marks.items()
    assert state == {"on": "2026-05-12", "notified": "0"}
    assert len(key) == 32 and "Zyxwv" not in key  # a digest: no title, even unsealed
    raw = _raw(vault_path)
    for plain in (b"Zyxwv", b"Canary", b"Qwfpg", COMING_MARKS.encode(), key.encode(),
                  b"2026-05-12", b"notified"):  # fmt: skip
        assert plain not in raw, plain


def test_the_mark_outlives_a_sync_that_stores_the_item_afresh(stocked, vault_path, fast_kdf,
                                                              hook) -> None:  # fmt: skip
    """A fetch replaces a shop's unjudged suggestions with new records (new ids), and a second
    shop's cheaper copy may become the one shown: it is the same release, marked already."""
    from pydantic import TypeAdapter

    from profilekeeper.services.sharing import store_suggestions
    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.protocol import Suggestion as Wire

    command, log = hook
    remind_on("2026-05-12", command, days=1)
    assert calls(log) == [AURORA_ON_ITS_DAY]
    aurora = {"kind": "release", "id": "1", "title": "Aurora [bold]Lines[/bold]",
              "creators": ["Velvet Static"], "category": "music", "tags": [],
              "url": "https://a.example/aurora", "reason": "", "release_date": "2026-05-12"}
    now = datetime(2026, 5, 12, 12, tzinfo=UTC)
    with Vault.open(vault_path) as app:
        app.unlock(PASSPHRASE)
        wire = TypeAdapter(Wire)
        store_suggestions(app, app.get(Retailer, stocked["shop"].id),
                          [wire.validate_python(aurora)], refs={}, now=now)
        other = app.add(Retailer("Shop B", "https://b.example"))
        store_suggestions(app, other, [wire.validate_python(
            {**aurora, "id": "b-9", "price": "9.00",
             "currency": "EUR", "url": "https://b.example/aurora"})], refs={}, now=now)
        ids = {s.id for s in app.list(Suggestion) if s.title.startswith("Aurora")}
    assert stocked["release"].id not in ids and len(ids) == 2  # stored afresh, twice
    shown = json.loads(run_main("remind", "--today", "2026-05-12", "--days", "1", "--json",
                                env=UNLOCK).out)["coming"]  # fmt: skip
    assert [c["shop"] for c in shown] == ["Shop B"]  # the cheaper copy
    remind_on("2026-05-12", command, days=1)
    remind_on("2026-05-13", command, days=1)
    assert calls(log) == [AURORA_ON_ITS_DAY]


def test_the_app_s_profile_writes_keep_the_marks_and_no_run_writes_for_nothing(
    stocked, vault_path, fast_kdf, hook  # type: ignore[no-untyped-def]
) -> None:
    command, log = hook
    remind_on("2026-05-12", command, days=1)
    assert run_cli("profile", "set", "--city", "Lisbon", env=UNLOCK).code == 0
    assert run_cli("profile", "set", "--notify-command", command, env=UNLOCK).code == 0
    files = [p for p in vault_path.parent.glob(vault_path.name + "*")
             if not p.name.endswith("-shm")]  # the file and its WAL
    before = [(p.name, p.stat().st_mtime_ns, p.read_bytes()) for p in files]
    remind_on("2026-05-12", command, days=1)  # marked: nothing runs, nothing is written
    assert [(p.name, p.stat().st_mtime_ns, p.read_bytes()) for p in files] == before
    run_main("remind", "--today", "2026-05-12", "--days", "1", env=UNLOCK)  # notify.command
    assert calls(log) == [AURORA_ON_ITS_DAY]


def test_one_run_records_occasions_and_releases_together(stocked, vault_path, fast_kdf,
                                                         hook) -> None:  # fmt: skip
    """Sam's birthday on 10 May (leads 14, 3) and Aurora Lines on the 12th: a run on the 7th
    fires Sam's 3-day point; the 12th, Aurora Lines; each once however many runs."""
    from profilekeeper.model import Occasion
    from profilekeeper.store.vault import Vault

    command, log = hook
    for day in ("2026-05-07", "2026-05-07", "2026-05-12", "2026-05-12"):
        remind_on(day, command)  # the concert, on the 20th, is 8 days from the 12th: no point
    assert occasion_calls(log) == [("birthday", "3")] and calls(log) == [AURORA_ON_ITS_DAY]
    with Vault.open(vault_path) as reopened:
        reopened.unlock(PASSPHRASE)
        sam = reopened.get(Occasion, stocked["sam_bday"].id)
        assert sam.reminder_state["2026"]["notified"] == "14,3"
        assert list(reopened.profile().settings[COMING_MARKS].values()) == [
            {"on": "2026-05-12", "notified": "0"}]


def test_marks_of_days_listed_no_more_are_dropped() -> None:
    settings = {"theme": "nord", COMING_MARKS: {
        "old": {"on": "2026-04-30", "notified": "0"},
        "kept": {"on": "2026-05-01", "notified": "7"},
        "junk": {"on": "someday", "notified": "0"}, "worse": "0",
    }}  # fmt: skip
    marked = mark_coming(settings, [("kept", date(2026, 5, 1), (0,)),
                                    ("new", date(2026, 5, 20), (7,))], since=date(2026, 5, 1))
    assert marked == {"theme": "nord", COMING_MARKS: {
        "kept": {"on": "2026-05-01", "notified": "7,0"},
        "new": {"on": "2026-05-20", "notified": "7"},
    }}  # fmt: skip
    assert settings[COMING_MARKS]["old"] == {"on": "2026-04-30", "notified": "0"}  # a copy


def test_help_says_once_and_made_up_and_the_path_stays_light(stocked) -> None:
    import os
    import subprocess

    text = " ".join(run_main("remind", "--help").out.split())
    assert "a point the timer missed fires on the next run while the item is still listed, " \
           "and none fires twice" in text  # fmt: skip
    probe = (
        "import sys\n"
        "from profilekeeper.cli import main\n"
        "code = main(['remind', '--today', '2026-05-12', '--days', '1', '--exec', 'true'])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, **UNLOCK}, timeout=60)  # fmt: skip
    assert done.returncode == 1, done.stderr
    loaded = set(done.stderr.splitlines()[-1].split())
    assert "profilekeeper.store.reminder_marks" in loaded  # Aurora Lines' mark was written
    heavy = ("sqlalchemy", "sqlmodel", "textual", "httpx", "keyring", "pydantic")
    assert sorted(m for m in loaded if m.split(".")[0] in heavy) == []
    assert "profilekeeper.services" not in loaded


def test_a_release_put_back_is_a_new_moment(stocked, vault_path, fast_kdf, hook) -> None:
    """Aurora Lines fired on 12 May; the shop then moves it to the 19th: that day fires it
    again, once (the old mark stays until it is listed no more)."""
    from dataclasses import replace

    from profilekeeper.store.vault import Vault

    command, log = hook
    remind_on("2026-05-12", command, days=1)
    with Vault.open(vault_path) as app:
        app.unlock(PASSPHRASE)
        aurora = app.get(Suggestion, stocked["release"].id)
        app.save(replace(aurora, details={"release_date": "2026-05-19"}))
    for day in ("2026-05-13", "2026-05-19", "2026-05-19", "2026-05-20"):
        remind_on(day, command, days=1)
    assert [c for c in calls(log) if c[0] == "release"] == [AURORA_ON_ITS_DAY] * 2
    with Vault.open(vault_path) as app:
        app.unlock(PASSPHRASE)
        days = sorted(m["on"] for m in app.profile().settings[COMING_MARKS].values())
    assert days == ["2026-05-12", "2026-05-19", "2026-05-20"]  # the concert's too (on the 19th)
