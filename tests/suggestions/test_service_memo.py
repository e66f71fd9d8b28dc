"""services.suggestions keeps one memo (suggestions/prepare.py) per vault while a store of it is
open: the read-only store Home first reads from and the full one share it; it goes with them."""

from __future__ import annotations

import gc
from pathlib import Path

from conftest import FAST_KDF, PASSPHRASE

from profilekeeper.model import Retailer, Suggestion
from profilekeeper.services import suggestions as service
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.store.vault import Vault


def test_stores_of_one_vault_share_a_memo_that_goes_with_them(tmp_path: Path) -> None:
    path, other = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    vault = Vault.create(path, PASSPHRASE, kdf=FAST_KDF)
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add(Suggestion(shop.id, "1", "product", "Kite"))
    first_look = ReadOnlyVault(path)
    first_look.unlock(PASSPHRASE)
    elsewhere = Vault.create(other, PASSPHRASE, kdf=FAST_KDF)
    assert [r.suggestion.title for r in service.read(first_look).shown] == ["Kite"]
    memo = service._memo(first_look)
    assert memo is not None and len(memo.known) == 1
    assert service._memo(vault) is memo and service._memo(elsewhere) is not memo
    vault_id = vault.vault_id
    for store in (vault, first_look, elsewhere):
        store.close()
    del vault, first_look, elsewhere, memo, store
    gc.collect()
    assert vault_id not in service._shared

