"""A vault header's Argon2 parameters are bounded: a crafted one cannot hang or exhaust memory.

Each crafted header is refused before any key is derived, so the test also bounds the time:
with the old code ``memory_kib = 2**31`` asked Argon2 for 2 TiB and ``iterations = 10**9`` ran
for days.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from profilekeeper.errors import UnsupportedVault, WrongPassphrase
from profilekeeper.store.crypto import KDF_BOUNDS, KdfParams
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.store.vault import Vault
from tests.conftest import FAST_KDF, PASSPHRASE, run_cli

OUT_OF_RANGE = "the vault header's key-derivation parameters are out of range"
SALT = base64.b64encode(bytes(16)).decode()

CRAFTED: dict[str, dict[str, Any]] = {
    "memory 2**31 KiB": {"memory_kib": 2**31},
    "memory 1 KiB": {"memory_kib": 1},
    "memory below 8 KiB a lane": {"memory_kib": 1024, "lanes": 16 * 1024},
    "iterations 10**9": {"iterations": 10**9},
    "iterations 0": {"iterations": 0},
    "lanes 0": {"lanes": 0},
    "lanes 2**24": {"lanes": 2**24},
    "negative memory": {"memory_kib": -1},
    "negative iterations": {"iterations": -3},
    "huge int": {"memory_kib": 10**400},
    "memory as a string": {"memory_kib": "65536"},
    "iterations as a float": {"iterations": 1.5},
    "lanes as true": {"lanes": True},
    "memory null": {"memory_kib": None},
    "iterations missing": {"iterations": ...},
    "salt empty": {"salt": ""},
    "salt of 8 bytes": {"salt": base64.b64encode(bytes(8)).decode()},
    "salt of 1 MB": {"salt": base64.b64encode(bytes(2**20)).decode()},
    "salt not base64": {"salt": "not base64!"},
    # One flipped bit that base64 ignores: the same salt, but not what the vault wrote (the
    # tamper sweep, benchmarks/guarantee_tamper.py, found it passing as untouched).
    "salt with its unused bits set": {"salt": SALT[:21] + "B=="},
    "salt a number": {"salt": 16},
}


def craft(path: Path, **changes: Any) -> None:
    """Rewrite the header's KDF parameters as an attacker with the file could."""
    with closing(sqlite3.connect(path)) as db, db:
        kdf = json.loads(db.execute("SELECT kdf FROM vault_header").fetchone()[0])
        kdf.update({"salt": SALT, **changes})
        kdf = {k: v for k, v in kdf.items() if v is not ...}
        db.execute("UPDATE vault_header SET kdf = ?", (json.dumps(kdf),))


@pytest.fixture
def crafted_vault(vault, vault_path: Path) -> Path:
    vault.close()
    return vault_path


@pytest.mark.parametrize("changes", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_header_is_refused_quickly_by_both_stores(
    crafted_vault: Path, changes: dict[str, Any]
) -> None:
    craft(crafted_vault, **changes)
    start = time.perf_counter()
    with pytest.raises(UnsupportedVault, match=OUT_OF_RANGE):
        Vault.open(crafted_vault).unlock(PASSPHRASE)
    with ReadOnlyVault(crafted_vault) as reader:
        pytest.raises(UnsupportedVault, reader.unlock, PASSPHRASE).match(OUT_OF_RANGE)
    assert time.perf_counter() - start < 1


def test_the_parameters_the_app_writes_are_inside_the_bounds(vault_path: Path) -> None:
    defaults = KdfParams()
    assert defaults.within_bounds() and FAST_KDF.within_bounds()
    assert KdfParams.from_json(defaults.to_json()) == defaults
    low, high = KDF_BOUNDS["memory_kib"]
    assert low <= FAST_KDF.memory_kib and defaults.memory_kib <= high
    assert KdfParams.from_json(json.loads(json.dumps(FAST_KDF.to_json()))) == FAST_KDF


def test_the_bounds_themselves_are_accepted(crafted_vault: Path) -> None:
    craft(crafted_vault, memory_kib=1024, iterations=1, lanes=1,
          salt=base64.b64encode(bytes(64)).decode())  # fmt: skip
    with ReadOnlyVault(crafted_vault) as reader, pytest.raises(WrongPassphrase):
        reader.unlock(PASSPHRASE)  # another salt: the right passphrase no longer fits


@pytest.mark.parametrize("command", [["person", "list"], ["remind"]])
def test_the_cli_says_so_in_one_line(crafted_vault: Path, command: list[str]) -> None:
    craft(crafted_vault, memory_kib=2**31)
    start = time.perf_counter()
    result = run_cli(*command, "--vault", str(crafted_vault),
                     env={"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}, timeout=20)  # fmt: skip
    assert time.perf_counter() - start < 10  # a process start, no Argon2 at all
    assert result.code == 2
    assert result.err == f"profilekeeper: {OUT_OF_RANGE}\n"
