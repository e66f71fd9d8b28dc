"""Store benchmark: write and read back 1,000 people and 10,000 gifts, four ways, in one run.

1. the store, through its public API (``Vault.add_all`` in one transaction, ``Vault.list``):
   every record checked, sealed with AES-256-GCM, written; read, opened, checked, rebuilt;
2. SQLCipher 4 (``sqlcipher3-binary``, page encryption in C), the peer a user would pick, doing
   the same work by hand: the same record objects written as JSON rows (with the store's
   pragmas and indexes) and rebuilt from them, with no per-record cipher and no checks; its
   JSON is the standard library's, as a program on SQLCipher would use it (``sqlcipher``), and
   again the store's own, set up for speed (``sqlcipher_store_json``: all else equal);
3. the store with a null cipher: the same code, so 1 / 3 is what AES-GCM costs;
4. plain sqlite3, the same number of rows and bytes, no JSON, no cipher: the floor.

Runs are interleaved, so load from elsewhere on the machine falls on all alike; wall-clock and
CPU (``time.process_time``) medians are both reported, with the load average.

    .venv/bin/pip install --group bench -c constraints.txt   # sqlcipher3-binary
    .venv/bin/python benchmarks/bench_store.py      # prints figures, writes results/store.json
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from _results import dig, summary_rows, write_results

from profilekeeper.model import Gift, GiftStatus, Person
from profilekeeper.store.codec import _loads as codec_loads
from profilekeeper.store.codec import codec_for, dumps
from profilekeeper.store.crypto import AesGcmCipher, KdfParams, NullCipher, new_data_key
from profilekeeper.store.transactions import PRAGMAS
from profilekeeper.store.vault import Vault

PEOPLE, GIFTS, REPEATS = 1_000, 10_000, 9
GOALS = {"store_to_sqlcipher": 1.0, "store_to_null_cipher": 1.3}
COMMAND = "python benchmarks/bench_store.py"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)  # the KDF is not what is measured
Timing = tuple[float, float]
"""(wall-clock seconds, CPU seconds)"""


def make_records() -> tuple[list[Person], list[Gift]]:
    people = [
        Person(
            name=f"Person {i:04d}",
            relationship="friend",
            budget=Decimal("30"),
            notes="likes long walks and jazz records",
        )
        for i in range(PEOPLE)
    ]
    gifts = [
        Gift(
            title=f"Gift idea number {i} — a book about birds",
            person_id=people[i % PEOPLE].id,
            status=GiftStatus.IDEA,
            price=Decimal("24.90"),
            currency="EUR",
            retailer="Example Books",
            notes="hardback if possible",
        )
        for i in range(GIFTS)
    ]
    return people, gifts


def _timed(work: Callable[[], Any]) -> tuple[Any, Timing]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def time_store(cipher_factory: Callable[[bytes], Any], folder: Path) -> Timing:
    people, gifts = make_records()
    vault = Vault.create(folder / f"v{time.monotonic_ns()}.sqlite3", "benchmark passphrase",
                         kdf=FAST_KDF, cipher_factory=cipher_factory)  # fmt: skip

    def work() -> tuple[list[Person], list[Gift]]:
        with vault.transaction():
            vault.add_all(people)
            vault.add_all(gifts)
        return vault.list(Person), vault.list(Gift)

    (read_people, read_gifts), timing = _timed(work)
    assert read_people == people and read_gifts == gifts
    vault.close()
    return timing


def _plain_dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, default=str)  # Decimal and date as text


def _store_dumps(payload: dict[str, Any]) -> str:
    return dumps(payload).decode()


Codes = tuple[Callable[[Any], str], Callable[[str], Any]]
PLAIN_JSON: Codes = (_plain_dumps, json.loads)
"""What a program on SQLCipher would write: the standard library's JSON as it comes."""
STORE_JSON: Codes = (_store_dumps, codec_loads)
"""The store's own JSON code, set up for speed: SQLCipher with everything else equal."""


def time_sqlcipher(folder: Path, codes: Codes) -> Timing:
    """SQLCipher 4 with a raw 256-bit key (no PBKDF2: the KDF is not measured), rows of
    ``(id, created, updated, refs…, data)`` with the record's other fields as JSON, written and
    read by ``codes``."""
    import sqlcipher3  # type: ignore[import-not-found]

    encode, decode = codes
    people, gifts = make_records()
    db = sqlcipher3.connect(str(folder / f"c{time.monotonic_ns()}.sqlite3"), isolation_level=None)
    db.execute(f"PRAGMA key = \"x'{new_data_key().hex()}'\"")
    for pragma in PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    db.executescript("""
        CREATE TABLE people (id TEXT PRIMARY KEY, created INTEGER NOT NULL,
            updated INTEGER NOT NULL, data TEXT NOT NULL);
        CREATE TABLE gifts (id TEXT PRIMARY KEY, created INTEGER NOT NULL,
            updated INTEGER NOT NULL, person_id TEXT REFERENCES people (id),
            occasion_id TEXT, data TEXT NOT NULL);
        CREATE INDEX ix_gifts_person_id ON gifts (person_id);
        CREATE INDEX ix_gifts_occasion_id ON gifts (occasion_id);
    """)

    def rows(records: list[Any]) -> list[tuple[Any, ...]]:
        codec, now = codec_for(type(records[0])), int(time.time())
        return [(r.id, now, now, *(getattr(r, c) for c in codec.refs),
                 encode({n: getattr(r, n) for n in codec.sealed_fields}))
                for r in records]  # fmt: skip

    def rebuilt(cls: type[Any]) -> list[Any]:
        codec = codec_for(cls)
        convert = list(codec.converters.items())
        records = []
        for record_id, *refs, data in db.execute(
            f"SELECT id, {''.join(c + ', ' for c in codec.refs)}data FROM {codec.table}"
        ):
            fields = decode(data)
            for name, converter in convert:
                if (value := fields.get(name)) is not None:
                    fields[name] = converter(value)
            records.append(cls(id=record_id, **dict(zip(codec.refs, refs, strict=True)),
                               **fields))  # fmt: skip
        return records

    def work() -> tuple[list[Person], list[Gift]]:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", rows(people))
        db.executemany("INSERT INTO gifts VALUES (?, ?, ?, ?, ?, ?)", rows(gifts))
        db.execute("COMMIT")
        return rebuilt(Person), rebuilt(Gift)

    (read_people, read_gifts), timing = _timed(work)
    assert read_people == people and read_gifts == gifts
    assert db.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    db.close()
    return timing


def time_plain_sqlite(folder: Path) -> Timing:
    """Floor: the same number of rows and bytes with no records, no JSON, no cipher."""
    path = folder / f"plain{time.monotonic_ns()}.sqlite3"
    rows = [(f"{i:032x}", b"x" * 150) for i in range(PEOPLE + GIFTS)]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, sealed BLOB)")

    def work() -> int:
        db.execute("BEGIN")
        db.executemany("INSERT INTO t VALUES (?, ?)", rows)
        db.execute("COMMIT")
        return len(db.execute("SELECT id, sealed FROM t").fetchall())

    count, timing = _timed(work)
    assert count == len(rows)
    db.close()
    return timing


def main() -> None:
    load_before = os.getloadavg()
    ways: dict[str, Callable[[Path], Timing]] = {
        "store": lambda folder: time_store(AesGcmCipher, folder),
        "sqlcipher": lambda folder: time_sqlcipher(folder, PLAIN_JSON),
        "sqlcipher_store_json": lambda folder: time_sqlcipher(folder, STORE_JSON),
        "null_cipher": lambda folder: time_store(lambda key: NullCipher(), folder),
        "plain_sqlite3": time_plain_sqlite,
    }
    runs: dict[str, list[Timing]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for way in ways.values():  # warm caches and imports once
            way(folder)
        for repeat in range(REPEATS):
            order = list(ways)[repeat % len(ways):] + list(ways)[:repeat % len(ways)]
            for name in order:
                runs[name].append(ways[name](folder))
    wall = {name: statistics.median(t[0] for t in timings) for name, timings in runs.items()}
    cpu = {name: statistics.median(t[1] for t in timings) for name, timings in runs.items()}
    results: dict[str, Any] = {
        "work": f"write + read back {PEOPLE:,} people and {GIFTS:,} gifts",
        "repeats": REPEATS,
        "wall_s": {name: round(value, 4) for name, value in wall.items()},
        "cpu_s": {name: round(value, 4) for name, value in cpu.items()},
        "ratios_wall": {
            "store_to_sqlcipher": round(wall["store"] / wall["sqlcipher"], 3),
            "store_to_sqlcipher_store_json": round(wall["store"] / wall["sqlcipher_store_json"], 3),
            "store_to_null_cipher": round(wall["store"] / wall["null_cipher"], 3),
            "store_to_plain_sqlite3": round(wall["store"] / wall["plain_sqlite3"], 3),
        },
        "ratios_cpu": {
            "store_to_sqlcipher": round(cpu["store"] / cpu["sqlcipher"], 3),
            "store_to_sqlcipher_store_json": round(cpu["store"] / cpu["sqlcipher_store_json"], 3),
            "store_to_null_cipher": round(cpu["store"] / cpu["null_cipher"], 3),
            "store_to_plain_sqlite3": round(cpu["store"] / cpu["plain_sqlite3"], 3),
        },
        "goals": GOALS,
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "sqlcipher": _sqlcipher_version(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    for key, value in results.items():
        print(f"{key:26} {value}")
    write_results("store", results, summarize(results))


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline rows: CPU ratios, the steadier figure on a shared machine (#19 §1)."""
    work = "write + read back 1,000 people, 10,000 gifts"
    return summary_rows(
        COMMAND,
        (f"store ÷ SQLCipher 4 with stdlib JSON, CPU ({work})", GOALS["store_to_sqlcipher"],
         dig(data, "ratios_cpu", "store_to_sqlcipher"), "x"),
        (f"store ÷ SQLCipher 4 with the store's JSON, CPU ({work})", GOALS["store_to_sqlcipher"],
         dig(data, "ratios_cpu", "store_to_sqlcipher_store_json"), "x"),
        (f"store ÷ the same store with a null cipher, CPU ({work})",
         GOALS["store_to_null_cipher"], dig(data, "ratios_cpu", "store_to_null_cipher"), "x"),
    )  # fmt: skip


def _sqlcipher_version() -> str:
    import sqlcipher3

    db = sqlcipher3.connect(":memory:")
    try:
        return f"{db.execute('PRAGMA cipher_version').fetchone()[0]} (sqlcipher3-binary)"
    finally:
        db.close()


if __name__ == "__main__":
    main()
