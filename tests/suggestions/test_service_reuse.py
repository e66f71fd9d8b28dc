"""services.suggestions.read, given the app's stamp (SQLite's data_version on a connection of
its own, as ``data_stamp`` reads it), gives a store its last read's result again when none of
the pipeline's inputs can have changed: the same stamp (no commit to the vault file by any
connection), the same day, no grant run out since. Each of those makes the next read anew;
with no stamp (the CLI) every read is."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE

from profilekeeper.errors import VaultLocked
from profilekeeper.model import (
    Grant,
    Interest,
    Person,
    Retailer,
    Rule,
    RuleAction,
    Sentiment,
    Suggestion,
)
from profilekeeper.services import suggestions as service
from profilekeeper.store.readonly import ChangeWatch
from profilekeeper.store.vault import Vault
from profilekeeper.sync.slices import person_ref

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _stamp(path: Path) -> Callable[[], int]:
    watch = ChangeWatch(path)
    return watch.version


def _titles(result: service.Result) -> list[str]:
    return [r.suggestion.title for r in result.shown]


def _vault(path: Path) -> tuple[Vault, Retailer]:
    vault = Vault.create(path, PASSPHRASE, kdf=FAST_KDF)
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add_all([Suggestion(shop.id, "1", "product", "Kite", creators=["Ada"]),
                   Suggestion(shop.id, "2", "product", "Drum", creators=["Bo"])])  # fmt: skip
    return vault, shop


def test_nothing_changed_gives_the_same_result_and_a_commit_reads_anew(tmp_path: Path) -> None:
    vault, _ = _vault(tmp_path / "v.sqlite3")
    stamp = _stamp(tmp_path / "v.sqlite3")
    first = service.read(vault, now=NOW, stamp=stamp())
    assert service.read(vault, now=NOW + timedelta(hours=1), stamp=stamp()) is first
    vault.add(Rule(RuleAction.HIDE, {"title": "kite"}))  # through the same store
    again = service.read(vault, now=NOW, stamp=stamp())
    assert again is not first and _titles(again) == ["Drum"]
    assert [r.hidden_reason for r in again.hidden if r.suggestion.title == "Kite"] != [None]
    assert service.read(vault, now=NOW, stamp=stamp()) is again
    assert service.read(vault, now=NOW) is not again  # no stamp: read anew


def test_a_commit_by_another_program_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    vault, _ = _vault(path)
    stamp = _stamp(path)
    first = service.read(vault, now=NOW, stamp=stamp())
    assert sorted(_titles(first)) == ["Drum", "Kite"]
    other = Vault.open(path)  # as `profilekeeper interest add` from cron would
    other.unlock(PASSPHRASE)
    other.add(Interest("music", "Ada", Sentiment.NEVER))
    other.close()
    assert _titles(service.read(vault, now=NOW, stamp=stamp())) == ["Drum"]


def test_another_day_reads_anew(tmp_path: Path) -> None:
    vault, _ = _vault(tmp_path / "v.sqlite3")
    first = service.read(vault, today=date(2026, 12, 3), now=NOW, stamp=1)
    assert service.read(vault, today=date(2026, 12, 3), now=NOW, stamp=1) is first
    assert service.read(vault, today=date(2026, 12, 4), now=NOW, stamp=1) is not first


def test_a_grant_running_out_reads_anew(tmp_path: Path) -> None:
    vault, shop = _vault(tmp_path / "v.sqlite3")
    sam = vault.add(Person("Sam"))
    vault.add(Grant(shop.id, "people", since=NOW - timedelta(days=9),
                    until=NOW + timedelta(minutes=5), person_id=sam.id))  # fmt: skip
    vault.add(Suggestion(shop.id, "3", "product", "Yo-yo",
                         for_ref=person_ref(shop.ref_key, sam.id)))  # fmt: skip
    before = service.read(vault, now=NOW, stamp=1)
    assert [r.person_id for r in before.shown if r.suggestion.title == "Yo-yo"] == [sam.id]
    assert service.read(vault, now=NOW + timedelta(minutes=4), stamp=1) is before
    after = service.read(vault, now=NOW + timedelta(minutes=5), stamp=1)
    assert "Yo-yo" not in _titles(after)  # the shop no longer holds Sam's ref: not shown


def test_a_locked_store_is_not_answered_from_its_last_read(tmp_path: Path) -> None:
    vault, _ = _vault(tmp_path / "v.sqlite3")
    service.read(vault, now=NOW, stamp=1)
    vault.lock()
    with pytest.raises(VaultLocked):
        service.read(vault, now=NOW, stamp=1)


def test_two_readers_at_once_run_the_pipeline_once(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    vault, _ = _vault(tmp_path / "v.sqlite3")
    runs: list[int] = []
    run = service.run

    def slow(*args: object, **kwargs: object) -> service.Result:
        runs.append(1)
        time.sleep(0.2)  # Home's glance still reading as the Suggestions screen asks
        return run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "run", slow)
    results: list[service.Result] = []
    readers = [threading.Thread(
        target=lambda: results.append(service.read(vault, now=NOW, stamp=1))) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(runs) == 1 and results[0] is results[1]
