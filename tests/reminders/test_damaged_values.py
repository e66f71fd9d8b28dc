"""A vault holding values no reader can use — written by an older release, or by plain sqlite3
with the right key — is read record by record: each such record is reported as damaged, the
rest is shown, and nothing ends in a traceback.

The bad records are sealed here with the vault's own key, so they pass authentication: only
the rules in profilekeeper/validation.py, applied as the codec opens them, tell them apart.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date

import pytest

from profilekeeper.model import Gift, Occasion, Person, new_id
from profilekeeper.store import occasion_dates
from profilekeeper.store.codec import codec_for, dumps, record_aad
from profilekeeper.store.crypto import AesGcmCipher
from profilekeeper.store.readonly import ReadOnlyVault
from tests.conftest import PASSPHRASE, run_cli
from tests.reminders.conftest import TODAY

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
SECRET = "Zebulon Quux"
"""In a damaged record's other fields: it must show nowhere."""


def plant(path, data_key, cls, payload, refs=()) -> str:
    """Insert a record holding ``payload``, sealed with the vault's key and bypassing every
    rule; return its id."""
    codec, record_id = codec_for(cls), new_id()
    sealed = AesGcmCipher(data_key).seal(dumps(payload), record_aad(codec.table, record_id, refs))
    columns = ("id", "created", "updated", *codec.refs, "sealed")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"INSERT INTO {codec.table} ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})",
                   (record_id, 0, 0, *refs, sealed))  # fmt: skip
    return record_id


@pytest.fixture
def damaged(vault, vault_path, family) -> dict[str, str]:
    """The family, plus one record holding each value the issue found breaking a reader."""
    key, sam = vault.data_key, family["sam"].id

    def occasion(**fields) -> str:
        return plant(vault_path, key, Occasion,
                     {"kind": "birthday", "label": SECRET, **fields}, (sam,))  # fmt: skip

    ids = {
        "month 13": occasion(month=13, day=1),
        "day 0": occasion(month=5, day=0),
        "30 February": occasion(month=2, day=30),
        "year 9999": occasion(kind="party", month=12, day=31, year=9999, yearly=False),
        "month as text": occasion(month="5", day=12),
        "lead days as text": occasion(month=5, day=12, lead_days="x"),
        "null name": plant(vault_path, key, Person, {"name": None, "notes": SECRET}),
        "NaN price": plant(vault_path, key, Gift,
                           {"title": SECRET, "price": "NaN"}, (sam, None)),  # fmt: skip
    }
    vault.close()
    return ids


def clean(result) -> None:
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert SECRET not in result.out + result.err


def test_remind_says_what_it_left_out_and_shows_the_rest(damaged) -> None:
    result = run_cli("remind", "--today", TODAY.isoformat(), "--days", "60", env=UNLOCK)
    clean(result)
    assert result.code == 1, result.err  # Sam is due (1 wins over 5), and no crash
    assert "Sam turns 40" in result.out
    assert "7 record(s) could not be read" in result.err  # the six occasions and Sam's gift
    as_json = run_cli("remind", "--today", TODAY.isoformat(), "--days", "60", "--json",
                      env=UNLOCK)  # fmt: skip
    assert as_json.code == 1 and json.loads(as_json.out)["corrupted"] == 7
    nothing_due = run_cli("remind", "--today", TODAY.isoformat(), "--days", "0", env=UNLOCK)
    clean(nothing_due)
    assert nothing_due.code == 5, nothing_due.err  # nothing due, but records were left out
    assert "6 record(s) could not be read" in nothing_due.err  # Sam's gift is not read now


def test_remind_reports_a_bad_date_an_older_release_put_in_the_date_index(
    vault, vault_path, family
) -> None:
    """An index sealed before the rules held a month 13: its occasion is opened and reported,
    the index read as before for the rest."""
    bad_id = plant(vault_path, vault.data_key, Occasion,
                   {"kind": "birthday", "month": 13, "day": 1}, (family["sam"].id,))  # fmt: skip
    good = vault.list(Occasion)
    unchecked = [*good, Occasion("birthday", 13, 1, id=bad_id)]  # as the old index sealed it
    with closing(sqlite3.connect(vault_path)) as db, db:
        db.execute("UPDATE occasion_dates SET sealed = ?",
                   (occasion_dates.seal(unchecked, [], vault.cipher),))  # fmt: skip
    with ReadOnlyVault(vault_path) as reader:
        reader.unlock_with_data_key(vault.data_key)
        assert reader.occasion_dates() is not None  # the index is what remind reads
        near = occasion_dates.occasions_near(reader, TODAY, 60)
    assert [c.record_id for c in near.corrupted] == [bad_id]
    assert family["sam_bday"].id in {o.id for o in near}


def test_calendar_export_writes_the_good_occasions_and_reports_the_damaged(damaged, tmp_path):
    out = tmp_path / "gifts.ics"
    result = run_cli("export", "--format", "ics", "-o", str(out), env=UNLOCK)
    clean(result)
    assert result.code == 0, result.err
    assert "7 record(s) could not be read" in result.err  # the six occasions and the person
    calendar = out.read_text()
    assert calendar.count("BEGIN:VEVENT") == 3  # Sam's, Kim's and Lou's
    assert "SUMMARY:Sam's birthday" in calendar
    assert all(record_id not in calendar for record_id in damaged.values())


@pytest.mark.parametrize(
    ("command", "shown", "left_out"),
    [
        (("person", "list"), ("Sam", "Kim Ödegaard", "Lou"), ("null name",)),
        (("occasion", "list"), ("birthday", "anniversary"),
         ("month 13", "day 0", "30 February", "year 9999", "month as text", "lead days as text")),
        (("gift", "list"), ("Book", "Scarf", "Vase"), ("NaN price",)),
    ],
)  # fmt: skip
def test_lists_show_the_rest_and_exit_5_naming_each_damaged_record(
    damaged, command, shown, left_out
) -> None:
    result = run_cli(*command, env=UNLOCK)
    clean(result)
    assert result.code == 5, result.err
    assert all(word in result.out for word in shown)
    for what in left_out:
        assert f"/{damaged[what]} holds a value this version cannot use" in result.err, what


def test_json_export_reports_a_damaged_record_and_can_leave_it_out(damaged, tmp_path) -> None:
    out = tmp_path / "backup.json"
    refused = run_cli("export", "-o", str(out), env=UNLOCK)
    clean(refused)
    assert refused.code == 5 and "holds a value this version cannot use" in refused.err
    assert not out.exists()
    skipped = run_cli("export", "-o", str(out), "--skip-corrupted", env=UNLOCK)
    clean(skipped)
    assert skipped.code == 0, skipped.err
    exported = json.loads(out.read_text())["records"]
    assert len(exported["people"]) == 3 and len(exported["occasions"]) == 3
    assert len(exported["gifts"]) == 3
    assert SECRET not in out.read_text()
    # What was written imports again, into a new vault, as it is.
    again = tmp_path / "again.sqlite3"
    assert run_cli("--vault", str(again), "init", env=UNLOCK).code == 0
    restored = run_cli("--vault", str(again), "import", str(out), env=UNLOCK)
    assert restored.code == 0, restored.err


def test_the_app_reads_a_vault_with_damaged_values(damaged, vault_path) -> None:
    """Home, People and a person's page read through these services."""
    from profilekeeper import services

    with ReadOnlyVault(vault_path) as reader:
        reader.unlock(PASSPHRASE)
        home = services.home_view(reader, TODAY)
        rows = services.people_rows(reader, TODAY)
        sam = next(r.person for r in rows if r.person.name == "Sam")
        theirs = reader.list(Occasion, person_id=sam.id)
        services.person_due(reader, sam, theirs, reader.list(Gift, person_id=sam.id), TODAY)
    assert len(home.unreadable) == 7 and "Sam turns 40" in [d.headline for d in home.upcoming]
    assert sorted(r.person.name for r in rows) == ["Kim Ödegaard", "Lou", "Sam"]
    assert len(theirs.corrupted) == 6 and date(2026, 5, 10) in {
        d.on for d in home.upcoming
    }
