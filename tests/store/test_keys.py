"""Passphrases: wrong ones fail cleanly; change and rotation keep every record readable."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import FAST_KDF, PASSPHRASE, store_every_record

from profilekeeper.errors import WrongPassphrase
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.vault import Vault

NEW = "a different passphrase"


def _contents(vault: Vault, records: list) -> list:
    return [vault.get(type(r), r.id) for r in records]


def test_wrong_passphrase_then_right_one(vault, vault_path: Path) -> None:
    vault.close()
    with Vault.open(vault_path) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.unlock("not it")
        assert not reopened.is_unlocked
        reopened.unlock(PASSPHRASE)
        assert reopened.is_unlocked


def test_passphrase_change_rewraps_without_touching_records(vault, vault_path: Path) -> None:
    records = store_every_record(vault, "pw")
    sealed_before = _sealed(vault_path)
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not it", NEW)
    vault.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
    vault.close()
    assert _sealed(vault_path) == sealed_before
    with Vault.open(vault_path) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.unlock(PASSPHRASE)
        reopened.unlock(NEW)
        assert _contents(reopened, records) == records


def test_rotation_re_encrypts_everything_under_a_new_key(vault, vault_path: Path) -> None:
    records = store_every_record(vault, "rot")
    old_key, sealed_before = vault.data_key, _sealed(vault_path)
    seen: list[tuple[int, int]] = []
    new_key = vault.rotate_key(PASSPHRASE, progress=lambda d, t: seen.append((d, t)))
    assert new_key != old_key and vault.data_key == new_key
    assert seen[-1][0] == seen[-1][1] == len(records)
    sealed_after = _sealed(vault_path)
    assert sealed_after.keys() == sealed_before.keys()
    assert all(sealed_after[k] != sealed_before[k] for k in sealed_before)
    vault.close()
    with Vault.open(vault_path) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.unlock_with_data_key(old_key)  # a stale keyring copy is refused
        reopened.unlock(PASSPHRASE)
        assert reopened.header.key_generation == 2
        assert _contents(reopened, records) == records


def test_kdf_parameters_are_in_the_header_and_default_to_at_least_64mib_3_passes(
    vault_path: Path,
) -> None:
    Vault.create(vault_path, PASSPHRASE).close()
    with sqlite3.connect(vault_path) as db:
        kdf = json.loads(db.execute("SELECT kdf FROM vault_header").fetchone()[0])
    assert kdf["algorithm"] == "argon2id"
    assert kdf["memory_kib"] >= 64 * 1024 and kdf["iterations"] >= 3
    assert KdfParams.from_json(kdf).salt != KdfParams().salt  # random per vault


def test_passphrase_is_normalized_so_composed_and_decomposed_forms_match(tmp_path) -> None:
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    Vault.create(tmp_path / "v", composed, kdf=FAST_KDF).close()
    with Vault.open(tmp_path / "v") as vault:
        vault.unlock(decomposed)


def _sealed(path: Path) -> dict[tuple[str, str], bytes]:
    tables = [
        "profile",
        "people",
        "interests",
        "occasions",
        "gifts",
        "purchases",
        "retailers",
        "grants",
        "share_records",
        "suggestions",
        "rules",
    ]
    with sqlite3.connect(path) as db:
        return {(t, i): s for t in tables for i, s in db.execute(f"SELECT id, sealed FROM {t}")}
