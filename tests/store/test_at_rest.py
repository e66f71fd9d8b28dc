"""Nothing user-entered reaches the disk in clear, and the files are private."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from conftest import FAST_KDF, PASSPHRASE, every_record, run_cli, store_every_record

from profilekeeper.store.paths import sidecar_paths
from profilekeeper.store.vault import Vault

MARKER = "Zq7xPlantedSecret"


def _files_near(path: Path) -> list[Path]:
    return [p for p in path.parent.rglob("*") if p.is_file()]


def _hits(files: list[Path], needle: str) -> list[str]:
    found = []
    for file in files:
        data = file.read_bytes()
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            if needle.encode(encoding) in data:
                found.append(f"{file.name} ({encoding})")
    return found


def test_no_planted_string_in_the_vault_or_its_companions(vault_path: Path) -> None:
    vault = Vault.create(vault_path, PASSPHRASE, kdf=FAST_KDF)
    store_every_record(vault, MARKER)
    # Look while the write-ahead log is still full, and again after close.
    assert any(p.exists() for p in sidecar_paths(vault_path))
    assert _hits(_files_near(vault_path), MARKER) == []
    vault.close()
    files = _files_near(vault_path)
    assert vault_path in files
    assert _hits(files, MARKER) == []
    # Every kind of record is there, just not readable.
    with sqlite3.connect(vault_path) as db:
        for record in every_record(MARKER):
            table = type(record).TABLE
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] >= 1


def test_deleted_records_leave_no_trace_and_sidecars_are_private(vault_path: Path) -> None:
    with Vault.create(vault_path, PASSPHRASE, kdf=FAST_KDF) as vault:
        records = store_every_record(vault, MARKER)
        for sidecar in sidecar_paths(vault_path):
            if sidecar.exists():
                assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600, sidecar.name
        vault.delete(type(records[-1]), records[-1].id)
        with vault.database.connection() as pragmas:
            assert pragmas.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert pragmas.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    assert _hits(_files_near(vault_path), MARKER) == []


def test_cli_leaves_no_plaintext_and_export_only_where_asked(tmp_path: Path) -> None:
    vault = tmp_path / "vault" / "v.sqlite3"
    exports = tmp_path / "exports"
    exports.mkdir()
    env = {"PROFILEKEEPER_VAULT": str(vault), "PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    assert run_cli("init", env=env).code == 0
    assert run_cli("person", "add", f"{MARKER} Lee", "--birthday", "1990-04-01", env=env).code == 0
    assert run_cli("gift", "add", f"{MARKER} Lee", f"{MARKER} scarf", env=env).code == 0
    assert run_cli("interest", "add", "music", f"{MARKER} band", env=env).code == 0
    assert run_cli("person", "list", env=env).out.count(MARKER) == 1
    result = run_cli("export", "-o", str(exports / "out.json"), env=env)
    assert result.code == 0 and "plaintext" in result.err

    assert stat.S_IMODE(os.stat(vault.parent).st_mode) == 0o700
    assert _hits(_files_near(vault), MARKER) == []
    # The export (plaintext by design) is the only file next to it: no temp file left behind.
    assert [p.name for p in exports.iterdir()] == ["out.json"]
    assert stat.S_IMODE((exports / "out.json").stat().st_mode) == 0o600
    assert MARKER in (exports / "out.json").read_text()
