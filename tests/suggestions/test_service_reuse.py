"""services.suggestions.read gives a store its last read's result again when none of the
pipeline's inputs can have changed: no commit to the vault file by any connection, the same
day, no grant run out since. Each of those makes the next read run the pipeline anew."""

from __future__ import annotations

import os
import threading
import time
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
from profilekeeper.store.vault import Vault
from profilekeeper.sync.slices import person_ref

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


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
    first = service.read(vault, now=NOW)
    assert service.read(vault, now=NOW + timedelta(hours=1)) is first
    vault.add(Rule(RuleAction.HIDE, {"title": "kite"}))  # through the same store
    again = service.read(vault, now=NOW)
    assert again is not first and _titles(again) == ["Drum"]
    assert [r.hidden_reason for r in again.hidden if r.suggestion.title == "Kite"] != [None]
    assert service.read(vault, now=NOW) is again


def test_a_commit_by_another_program_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    vault, _ = _vault(path)
    first = service.read(vault, now=NOW)
    assert sorted(_titles(first)) == ["Drum", "Kite"]
    other = Vault.open(path)  # as `profilekeeper interest add` from cron would
    other.unlock(PASSPHRASE)
    other.add(Interest("music", "Ada", Sentiment.NEVER))
    other.close()
    assert _titles(service.read(vault, now=NOW)) == ["Drum"]


def test_another_day_reads_anew(tmp_path: Path) -> None:
    vault, _ = _vault(tmp_path / "v.sqlite3")
    first = service.read(vault, today=date(2026, 12, 3), now=NOW)
    assert service.read(vault, today=date(2026, 12, 4), now=NOW) is not first


def test_a_grant_running_out_reads_anew(tmp_path: Path) -> None:
    vault, shop = _vault(tmp_path / "v.sqlite3")
    sam = vault.add(Person("Sam"))
    vault.add(Grant(shop.id, "people", since=NOW - timedelta(days=9),
                    until=NOW + timedelta(minutes=5), person_id=sam.id))  # fmt: skip
    vault.add(Suggestion(shop.id, "3", "product", "Yo-yo",
                         for_ref=person_ref(shop.ref_key, sam.id)))  # fmt: skip
    before = service.read(vault, now=NOW)
    assert [r.person_id for r in before.shown if r.suggestion.title == "Yo-yo"] == [sam.id]
    assert service.read(vault, now=NOW + timedelta(minutes=4)) is before
    after = service.read(vault, now=NOW + timedelta(minutes=5))
    assert "Yo-yo" not in _titles(after)  # the shop no longer holds Sam's ref: not shown


def test_a_locked_store_is_not_answered_from_its_last_read(tmp_path: Path) -> None:
    vault, _ = _vault(tmp_path / "v.sqlite3")
    service.read(vault, now=NOW)
    vault.lock()
    with pytest.raises(VaultLocked):
        service.read(vault, now=NOW)


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
    readers = [threading.Thread(target=lambda: results.append(service.read(vault, now=NOW)))
               for _ in range(2)]  # fmt: skip
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(runs) == 1 and results[0] is results[1]


def test_another_file_put_in_its_place_reads_anew(tmp_path: Path) -> None:
    path, other = tmp_path / "v.sqlite3", tmp_path / "restored.sqlite3"
    vault, _ = _vault(path)
    kept = service._kept(vault)
    assert kept is not None
    service.read(vault, now=NOW)
    before = kept.version()
    assert before is not None and kept.version() == before
    vault.close()
    Vault.create(other, PASSPHRASE, kdf=FAST_KDF).close()
    os.replace(other, path)  # as `restore --replace` swaps a vault in
    assert kept.version() not in (None, before)
