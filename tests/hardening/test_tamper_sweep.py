"""Tamper sweep at CI scale: benchmarks/guarantee_tamper.py on a sample of ciphertexts.

Every byte of each sampled record's ciphertext flipped in turn (every bit position hit), every
byte of the key table, every byte of SQLite's file header, and truncated, zeroed and foreign
files: each flip is detected and reported for that record alone (the CLI's exit 5 naming it,
for a sample), the key table refuses to unlock (the passphrase every flip of it, the CLI with
exit 5 for a changed key check), and a bad file is one clear error.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.hardening.bench_scripts import benchmark_script

tamper = benchmark_script("guarantee_tamper")


def test_every_flip_is_detected_for_that_record_alone(tmp_path: Path) -> None:
    figures = tamper.run(tmp_path, records_sample=6, seed=18)
    assert figures.records_swept == 6
    assert set(tamper.LISTED) <= set(figures.records_swept_by_table)
    assert figures.record_flips == figures.record_flips_detected >= 6 * 60
    assert figures.cli_flips == figures.cli_flips_reported >= len(tamper.LISTED)
    assert figures.key_table_flips == figures.key_table_flips_refused
    assert figures.key_table_flips == figures.key_table_passphrase_refused  # the check too
    assert figures.key_check_cli_flips == figures.key_check_cli_refused >= 10  # exit 5
    assert any(r.startswith("key_check: passphrase: KeyTableChanged")
               for r in figures.key_table_refusals)  # fmt: skip
    with closing(sqlite3.connect(tmp_path / "vault.sqlite3")) as db:
        row = db.execute(f"SELECT {', '.join(tamper.KEY_COLUMNS)} FROM vault_header").fetchone()
    assert figures.key_table_flips == sum(len(v) for v in row)  # every byte of it
    # SQLite ignores some of its header's bytes; the rest give one clear error.
    assert figures.file_header_flips == 100
    assert 0 < figures.file_header_outcomes.pop("every person listed") < 100
    assert all(said.startswith(("exit 2: ", "exit 5: ")) for said in figures.file_header_outcomes)
    assert len(figures.bad_files) == 17
    for name, said in figures.bad_files.items():
        assert said.startswith(("exit 2: that file is not a profilekeeper vault",
                                "exit 5: the vault file is damaged")), (name, said)  # fmt: skip


def test_the_sweep_finds_a_flip_that_is_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "vault.sqlite3"
    records = tamper.make_vault(path)
    person = next(r for r in records if r.TABLE == "people")
    others = [r for r in records if r.TABLE == "people" and r is not person]
    with tamper.unlocked(path) as vault, pytest.raises(tamper.Missed, match="reported \\[\\]"):
        tamper._check_record(vault, person, others, "no flip at all")


def test_the_sweep_finds_people_gone_without_a_word(tmp_path: Path) -> None:
    path = tmp_path / "vault.sqlite3"
    records = tamper.make_vault(path)
    names = [r.name for r in records if r.TABLE == "people"]
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DELETE FROM people WHERE rowid IN (SELECT rowid FROM people LIMIT 1)")
    with pytest.raises(tamper.Missed, match="exit 0"):
        tamper._person_list(path, names, "a person deleted")
