"""services.suggestions keeps what reads from a store worked out (the memo, the last read)
while the store is open and unlocked: it goes with the store, and the app drops it as it locks,
so nothing decrypted stays in memory while locked."""

from __future__ import annotations

import gc
from pathlib import Path

from conftest import FAST_KDF, PASSPHRASE

from profilekeeper.model import Retailer, Suggestion
from profilekeeper.services import suggestions as service
from profilekeeper.store.vault import Vault


def _stocked(path: Path) -> Vault:
    vault = Vault.create(path, PASSPHRASE, kdf=FAST_KDF)
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add(Suggestion(shop.id, "1", "product", "Kite"))
    return vault


def test_each_store_keeps_its_own_memo_and_it_goes_with_the_store(tmp_path: Path) -> None:
    vault, elsewhere = _stocked(tmp_path / "a.sqlite3"), _stocked(tmp_path / "b.sqlite3")
    assert [r.suggestion.title for r in service.read(vault).shown] == ["Kite"]
    kept = service._kept(vault)
    assert kept is not None and len(kept.memo.known) == 1
    assert service._kept(vault) is kept and service._kept(elsewhere) is not kept
    for store in (vault, elsewhere):
        store.close()
    del vault, elsewhere, store
    gc.collect()
    assert len(service._kept_by_store) == 0


def test_forgetting_reads_drops_the_memo_and_the_last_result(tmp_path: Path) -> None:
    vault = _stocked(tmp_path / "a.sqlite3")
    service.read(vault, stamp="one")
    kept = service._kept(vault)
    assert kept is not None and kept.last is not None and kept.memo.known
    service.forget_reads(vault)
    fresh = service._kept(vault)
    assert fresh is not kept and fresh is not None
    assert fresh.last is None and not fresh.memo.known
    service.forget_reads(object())  # a store never read from: nothing to drop
    vault.close()
