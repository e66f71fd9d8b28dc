"""Tamper sweep, proven: every flipped byte is detected and reported for that record alone.

On a vault holding records of every kind:

1. records: for each of a sample of stored ciphertexts, every byte is flipped in turn (byte i
   XOR 1 << (i % 8), so every bit position is hit; ``--all-bits``: all eight bits of every
   byte), in the file, by another connection. Each flip must make exactly that record fail to
   open, by its table and id, while every other record of its kind still opens as it was;
   and ``get`` of it must raise ``CorruptedRecord``. A sample of the flips goes through the
   CLI too: exit 5, one line naming ``table/id`` only, every other record still listed.
2. the key table (``vault_header``: the wrapped key, the key check, the KDF parameters, the
   vault id they are bound to): every byte flipped in turn. The passphrase unlock must refuse
   every flip (a changed key check too: KeyTableChanged, exit 5), with one of the errors the
   CLI prints as one line; the data key (as from the keyring) must refuse it or open every
   record as it was (it needs no wrapped key or KDF parameters); never anything else.
3. the file: each byte of SQLite's 100-byte file header flipped, then the file truncated at
   several lengths, zeroed, and replaced by foreign files (another SQLite database, a PNG, an
   empty file, random bytes). ``person list`` must either show every person (a header byte
   SQLite does not use) or fail with a clear one-line error and no traceback: never an empty
   list with exit 0.

    .venv/bin/python benchmarks/guarantee_tamper.py [--records N] [--all-bits]  (or env
    GUARANTEE_TAMPER_RECORDS=N)

Prints the figures and writes benchmarks/results/guarantee_tamper.json (with ``--all-bits``,
guarantee_tamper_all_bits.json).
tests/hardening/test_tamper_sweep.py runs the same code at CI scale.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from profilekeeper import model as m
from profilekeeper.cli import main as cli_main
from profilekeeper.errors import CorruptedRecord, ProfileKeeperError
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.vault import Vault

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _results, when a test imports this
from _results import summary_row, write_results  # noqa: E402

RESULTS = "guarantee_tamper"
"""The results file's stem (``_all_bits`` after it with ``--all-bits``)."""
PASSPHRASE = "correct horse battery"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
KEY_COLUMNS = ("wrapped_key", "key_check", "kdf", "vault_id")
LISTED = {"people": ("person", "name"), "gifts": ("gift", "title"),
          "interests": ("interest", "name"), "purchases": ("purchase", "title")}
"""Tables the CLI lists, with the command and the field each line shows."""
CLI_EVERY = 23
"""One record flip in this many also goes through the CLI (for the tables it lists)."""
KEY_CLI_EVERY = 4
"""One key check flip in this many also goes through the CLI's passphrase unlock."""


class Missed(AssertionError):
    """A flip that was not detected, or not reported for that record alone."""


# -- the vault --------------------------------------------------------------------------------


def make_vault(path: Path, per_kind: int = 4) -> list[Any]:
    """A vault with ``per_kind`` records of every kind (one profile); return them all."""
    records: list[Any] = [m.Profile(display_name="Robin", city="Lisbon", opted_in=True)]
    shop = m.Retailer(name="Shop", base_url="https://shop.example", token="t" * 43,
                      terms={"retention_days": 30}, linked_at=NOW)  # fmt: skip
    records.append(shop)
    for i in range(per_kind):
        person = m.Person(name=f"Person {i}", relationship="friend", notes="n" * (10 * i),
                          budget=Decimal("40"), sizes={"shirt": "M"})  # fmt: skip
        occasion = m.Occasion(kind="birthday", month=1 + i, day=10, person_id=person.id)
        records += [
            person, occasion,
            m.Gift(title=f"Gift {i}", person_id=person.id, occasion_id=occasion.id,
                   price=Decimal("19.99"), currency="EUR", on=date(2026, 2, 1 + i)),
            m.Interest(category="music", name=f"Artist {i}", sentiment=m.Sentiment.LOVE),
            m.Purchase(title=f"Purchase {i}", on=date(2025, 12, 1 + i), price=Decimal("5")),
            m.Grant(retailer_id=shop.id, slice=f"interests.music{i}", since=NOW),
            m.ShareRecord(retailer_id=shop.id, sent_at=NOW, slices=["greeting"],
                          payload='{"slices": {}}', response="ok" * i),
            m.Suggestion(retailer_id=shop.id, remote_id=f"s{i}", kind="product",
                         title=f"Suggestion {i}", reason="popular", received_at=NOW),
            m.Rule(action=m.RuleAction.HIDE, match={"creator": f"Blocked {i}"}),
        ]  # fmt: skip
    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault, vault.transaction():
        for record in records:
            vault.save(record)
    return records


@contextlib.contextmanager
def unlocked(path: Path) -> Iterator[Vault]:
    vault = Vault.open(path)
    try:
        vault.unlock(PASSPHRASE)
        yield vault
    finally:
        vault.close()


def flipped(data: bytes, i: int, bit: int) -> bytes:
    damaged = bytearray(data)
    damaged[i] ^= 1 << bit
    return bytes(damaged)


def cli(path: Path, *argv: str) -> tuple[int, str, str]:
    """``profilekeeper ARGV --vault PATH`` in this process, the passphrase from the env."""
    out, err = io.StringIO(), io.StringIO()
    os.environ["PROFILEKEEPER_PASSPHRASE"] = PASSPHRASE
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main([*argv, "--vault", str(path)])
    finally:
        del os.environ["PROFILEKEEPER_PASSPHRASE"]
    return code, out.getvalue(), err.getvalue()


def clear_error(code: int, err: str) -> bool:
    """One line (two at most: a damage notice's advice) of plain words, a status not 0/70."""
    lines = err.splitlines()
    return (code not in (0, 70) and 1 <= len(lines) <= 2 and lines[0].startswith("profilekeeper: ")
            and "Traceback" not in err and "internal error" not in err)  # fmt: skip


# -- 1. records ---------------------------------------------------------------------------


@dataclass
class Figures:
    records_swept: int = 0
    record_flips: int = 0
    record_flips_detected: int = 0
    cli_flips: int = 0
    cli_flips_reported: int = 0
    records_swept_by_table: dict[str, int] = field(default_factory=dict)
    key_table_flips: int = 0
    key_table_flips_refused: int = 0
    """Flips that some way of unlocking refused (the others, if they unlocked, to every record
    as it was)."""
    key_table_passphrase_refused: int = 0
    """Flips the passphrase unlock refused (every one: a changed key check too, though the
    passphrase unwraps the right key)."""
    key_check_cli_flips: int = 0
    key_check_cli_refused: int = 0
    """Key check flips through the CLI's passphrase unlock: exit 5, one line saying so."""
    key_table_refusals: dict[str, int] = field(default_factory=dict)
    file_header_flips: int = 0
    file_header_outcomes: dict[str, int] = field(default_factory=dict)
    bad_files: dict[str, str] = field(default_factory=dict)
    """Each truncated, zeroed or foreign file: what ``person list`` said (status, first line)."""
    seconds: float = 0.0
    seconds_by_part: dict[str, float] = field(default_factory=dict)


def sweep_records(path: Path, records: list[Any], chosen: list[Any], all_bits: bool,
                  figures: Figures) -> None:  # fmt: skip
    """Flip every byte of each ``chosen`` record (of the vault's ``records``) in turn."""
    with unlocked(path) as vault, contextlib.closing(sqlite3.connect(path)) as db:
        db.isolation_level = None  # each flip is its own write: the vault's reads see it
        for record in chosen:
            cls, table = type(record), record.TABLE
            others = sorted((r for r in records if type(r) is cls and r.id != record.id),
                            key=lambda r: r.id)  # fmt: skip
            (sealed,) = db.execute(f"SELECT sealed FROM {table} WHERE id = ?",
                                   (record.id,)).fetchone()  # fmt: skip
            figures.records_swept += 1
            figures.records_swept_by_table[table] = figures.records_swept_by_table.get(table, 0) + 1
            try:
                for i in range(len(sealed)):
                    for bit in range(8) if all_bits else (i % 8,):
                        db.execute(f"UPDATE {table} SET sealed = ? WHERE id = ?",
                                   (flipped(sealed, i, bit), record.id))  # fmt: skip
                        figures.record_flips += 1
                        _check_record(vault, record, others, f"{table} byte {i} bit {bit}")
                        figures.record_flips_detected += 1
                        if table in LISTED and figures.record_flips % CLI_EVERY == 0:
                            figures.cli_flips += 1
                            _check_cli(path, record, others)
                            figures.cli_flips_reported += 1
            finally:
                db.execute(f"UPDATE {table} SET sealed = ? WHERE id = ?", (sealed, record.id))


def _check_record(vault: Vault, record: Any, others: list[Any], where: str) -> None:
    cls = type(record)
    listing = vault.list(cls)
    if [(c.table, c.record_id) for c in listing.corrupted] != [(record.TABLE, record.id)]:
        raise Missed(f"{where}: reported {listing.corrupted!r}")
    if sorted(listing, key=lambda r: r.id) != others:
        raise Missed(f"{where}: the other records did not all open as they were")
    try:
        vault.get(cls, record.id)
    except CorruptedRecord as error:
        if (error.table, error.record_id) != (record.TABLE, record.id):
            raise Missed(f"{where}: get named another record") from None
    else:
        raise Missed(f"{where}: get opened it")


def _check_cli(path: Path, record: Any, others: list[Any]) -> None:
    command, shown = LISTED[record.TABLE]
    code, out, err = cli(path, command, "list")
    expected = f"profilekeeper: record {record.TABLE}/{record.id} {CorruptedRecord.why}\n"
    if (code, err) != (CorruptedRecord.exit_code, expected):
        raise Missed(f"CLI {command} list: exit {code}, {err!r}")
    if not all(getattr(r, shown) in out for r in others) or getattr(record, shown) in out:
        raise Missed(f"CLI {command} list: not exactly the other records listed")


# -- 2. the key table ---------------------------------------------------------------------


def sweep_key_table(path: Path, records: list[Any], figures: Figures) -> None:
    with unlocked(path) as vault:
        data_key = vault.data_key
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.isolation_level = None
        row = db.execute(f"SELECT {', '.join(KEY_COLUMNS)} FROM vault_header").fetchone()
        for column, value in zip(KEY_COLUMNS, row, strict=True):
            data = value if isinstance(value, bytes) else value.encode()
            try:
                for i in range(len(data)):
                    damaged = flipped(data, i, i % 8)
                    stored: bytes | str = damaged if isinstance(value, bytes) else \
                        damaged.decode("utf-8", "surrogateescape")  # fmt: skip
                    if isinstance(stored, str) and not stored.isprintable():
                        stored = damaged  # not text any more: stored as the bytes it is
                    db.execute(f"UPDATE vault_header SET {column} = ?", (stored,))
                    figures.key_table_flips += 1
                    how = _refused(path, data_key, records, f"{column} byte {i}")
                    refusal = f"{column}: {how}"
                    figures.key_table_refusals[refusal] = \
                        figures.key_table_refusals.get(refusal, 0) + 1  # fmt: skip
                    figures.key_table_flips_refused += 1
                    figures.key_table_passphrase_refused += "passphrase: unlocked" not in how
                    if column == "key_check" and i % KEY_CLI_EVERY == 0:
                        figures.key_check_cli_flips += 1
                        _check_key_cli(path, f"{column} byte {i}")
                        figures.key_check_cli_refused += 1
            finally:
                db.execute(f"UPDATE vault_header SET {column} = ?", (value,))


def _refused(path: Path, data_key: bytes, records: list[Any], where: str) -> str:
    """How each way of unlocking took the flip: refused (by which error) or unlocked with every
    record intact (the keyring's data key needs no wrapped key). ``Missed`` if neither way
    refused, if the passphrase did not (it reads every field of the key table), if one crashed,
    or if one unlocked to anything but the records as they were."""
    said = []
    for how in ("passphrase", "data key"):
        try:
            vault = Vault.open(path)
            try:
                if how == "passphrase":
                    vault.unlock(PASSPHRASE)
                else:
                    vault.unlock_with_data_key(data_key)
                intact = all(sorted(vault.list(cls), key=lambda r: r.id) ==
                             sorted((r for r in records if type(r) is cls), key=lambda r: r.id)
                             for cls in {type(r) for r in records})  # fmt: skip
            finally:
                vault.close()
        except ProfileKeeperError as error:
            said.append(f"{how}: {type(error).__name__}")
            continue
        except Exception as error:  # noqa: BLE001 - the finding: reported, not raised
            raise Missed(f"{where}: unlock with the {how} raised {type(error).__name__}") from None
        if not intact:
            raise Missed(f"{where}: unlocked with the {how} to records not as they were")
        said.append(f"{how}: unlocked, intact")
    if all(s.endswith("intact") for s in said):
        raise Missed(f"{where}: not detected")
    if said[0].endswith("intact"):
        raise Missed(f"{where}: the passphrase unlocked it")
    return ", ".join(said)


def _check_key_cli(path: Path, where: str) -> None:
    code, out, err = cli(path, "person", "list")
    if code != 5 or err.count("\n") != 1 or "key table was changed" not in err or out:
        raise Missed(f"{where}: CLI person list: exit {code}, {err[:300]!r}")


# -- 3. the file ----------------------------------------------------------------------------


def sweep_file_header(path: Path, folder: Path, people: list[str], figures: Figures) -> None:
    pristine = path.read_bytes()
    copy = folder / "header.sqlite3"
    outcomes: Counter[str] = Counter()
    for i in range(100):
        copy.write_bytes(flipped(pristine[:100], i, i % 8) + pristine[100:])
        outcomes[_person_list(copy, people, f"file header byte {i}")] += 1
        figures.file_header_flips += 1
        for sidecar in (copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
            sidecar.unlink(missing_ok=True)
    figures.file_header_outcomes = dict(outcomes)


def _person_list(path: Path, people: list[str], where: str) -> str:
    """"every person listed", or the status and error ``person list`` gave (``Missed`` if it
    listed fewer without saying so, or gave no clear error)."""
    code, out, err = cli(path, "person", "list")
    if code == 0 and not err and all(name in out for name in people):
        return "every person listed"
    if not clear_error(code, err):
        raise Missed(f"{where}: exit {code}, {err[:300]!r}")
    said = err.splitlines()[0].removeprefix("profilekeeper: ")
    return f"exit {code}: {said.split(' (')[0]}"  # no table names: outcomes are counted


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def foreign_db(path: Path) -> None:
    rng = random.Random(7)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE vault_header (singleton INTEGER, wrapped_key BLOB)")
        db.execute("CREATE TABLE people (id TEXT PRIMARY KEY, sealed BLOB)")
        db.executemany("INSERT INTO people VALUES (?, ?)",
                       [(f"p{i}", rng.randbytes(60)) for i in range(20)])  # fmt: skip


def sweep_bad_files(path: Path, folder: Path, people: list[str], figures: Figures) -> None:
    pristine = path.read_bytes()
    size = len(pristine)
    cases: dict[str, bytes | None] = {
        f"truncated to {n} bytes": pristine[:n]
        for n in (0, 1, 16, 99, 100, 1024, 4096, 8192, size // 2, size - 4096, size - 1)
    }
    cases["zeroed"] = bytes(size)
    cases["zeroed after the first page"] = pristine[:4096] + bytes(size - 4096)
    cases["a PNG"] = PNG
    cases["random bytes"] = random.Random(3).randbytes(size)
    cases["text"] = b"just some notes\n"
    cases["another program's SQLite database (vault-like tables)"] = None
    for name, data in cases.items():
        bad = folder / f"bad-{len(figures.bad_files)}.sqlite3"
        if data is None:
            foreign_db(bad)
        else:
            bad.write_bytes(data)
        figures.bad_files[name] = _person_list(bad, people, name)
        if figures.bad_files[name] == "every person listed":
            raise Missed(f"{name}: listed as if whole")


# -- the whole sweep ------------------------------------------------------------------------


def run(folder: Path, records_sample: int, *, all_bits: bool = False, seed: int = 0) -> Figures:
    figures, rng = Figures(), random.Random(seed)
    started = time.perf_counter()
    path = folder / "vault.sqlite3"
    records = make_vault(path)
    people = [r.name for r in records if isinstance(r, m.Person)]
    # One record of each table the CLI lists first (the CLI's sample comes from them), then
    # any others.
    chosen = [next(r for r in records if table == r.TABLE) for table in LISTED]
    rest = [r for r in records if r not in chosen]
    chosen = [*chosen, *rng.sample(rest, max(0, min(records_sample - len(chosen), len(rest))))]
    for part, sweep in (
        ("records", lambda: sweep_records(path, records, chosen, all_bits, figures)),
        ("key table", lambda: sweep_key_table(path, records, figures)),
        ("file header", lambda: sweep_file_header(path, folder, people, figures)),
        ("bad files", lambda: sweep_bad_files(path, folder, people, figures)),
    ):
        begun = time.perf_counter()
        sweep()
        figures.seconds_by_part[part] = round(time.perf_counter() - begun, 2)
    figures.seconds = round(time.perf_counter() - started, 2)
    return figures


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, from a results file's figures (a flip not detected stops the sweep)."""
    command = data.get("command", "python benchmarks/guarantee_tamper.py")
    rows = []
    if "record_flips" in data and "record_flips_detected" in data:
        bits = "all 8 bits" if "--all-bits" in command else "one bit"
        rows.append(summary_row(f"ciphertext flips ({bits} a byte) detected for that record alone",
                                data["record_flips"], data["record_flips_detected"], "flips",
                                command))  # fmt: skip
    if "key_table_flips" in data and "key_table_flips_refused" in data:
        rows.append(summary_row("key table flips refused (no unlock opened changed records)",
                                data["key_table_flips"], data["key_table_flips_refused"], "flips",
                                command))  # fmt: skip
    if "key_table_flips" in data and "key_table_passphrase_refused" in data:
        rows.append(summary_row("key table flips refused by the passphrase unlock",
                                data["key_table_flips"], data["key_table_passphrase_refused"],
                                "flips", command))  # fmt: skip
    if "file_header_outcomes" in data:
        outcomes = data["file_header_outcomes"]  # each listed whole or one clear error, or Missed
        rows.append(summary_row("SQLite header flips: every person listed or one clear error",
                                data.get("file_header_flips", 100), sum(outcomes.values()),
                                "flips", command))  # fmt: skip
    if "bad_files" in data:
        refused = sum(said.startswith("exit ") for said in data["bad_files"].values())
        rows.append(summary_row("truncated, zeroed, foreign files refused with one clear error",
                                len(data["bad_files"]), refused, "files", command))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int,
                        default=int(os.environ.get("GUARANTEE_TAMPER_RECORDS", 40)),
                        help="how many stored ciphertexts to sweep (of 38)")  # fmt: skip
    parser.add_argument("--all-bits", action="store_true", help="all 8 bits of every byte")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        figures = run(Path(folder), args.records, all_bits=args.all_bits, seed=args.seed)
    flags = " --all-bits" if args.all_bits else ""
    result = {**figures.__dict__, "seed": args.seed, "python": platform.python_version(),
              "command": f"python benchmarks/guarantee_tamper.py --records {args.records}{flags}"}
    print(f"records: {figures.records_swept} swept, {figures.record_flips} flips, "
          f"{figures.record_flips_detected} detected for that record alone "
          f"({figures.cli_flips} through the CLI: {figures.cli_flips_reported} exit 5 naming it)")
    print(f"key table: {figures.key_table_flips} flips, {figures.key_table_flips_refused} "
          f"refused to unlock ({figures.key_table_passphrase_refused} by the passphrase) "
          f"{figures.key_table_refusals}")
    print(f"key check through the CLI: {figures.key_check_cli_flips} flips, "
          f"{figures.key_check_cli_refused} exit 5 saying the key table was changed")
    print(f"file header: {figures.file_header_flips} flips: {figures.file_header_outcomes}")
    for name, said in figures.bad_files.items():
        print(f"  {name}: {said}")
    print(f"{figures.seconds} s {figures.seconds_by_part}")
    write_results(RESULTS + ("_all_bits" if args.all_bits else ""), result, summarize(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
