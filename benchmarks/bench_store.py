"""Store benchmark: write and read back 10,000 gifts and 1,000 people, sealed vs a null cipher.

Both runs go through the same public store API (``Vault.add_all`` / ``Vault.list``); only the
cipher differs, so the ratio is what encryption costs. Also times a plain-sqlite3 write and read
of the same rows as a floor, and the cold start of ``profilekeeper person list`` on a
1,000-person vault (which includes the deliberate ~0.2 s Argon2id unlock).

    .venv/bin/python benchmarks/bench_store.py      # prints figures, writes results/store.json
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from profilekeeper.model import Gift, GiftStatus, Person
from profilekeeper.store.crypto import AesGcmCipher, KdfParams, NullCipher
from profilekeeper.store.vault import Vault

PEOPLE, GIFTS, REPEATS = 1_000, 10_000, 9
RESULTS = Path(__file__).parent / "results" / "store.json"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)  # the KDF is not what is measured


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


def time_store(cipher_factory, folder: Path) -> float:
    people, gifts = make_records()
    vault = Vault.create(
        folder / f"v{time.monotonic_ns()}.sqlite3",
        "benchmark passphrase",
        kdf=FAST_KDF,
        cipher_factory=cipher_factory,
    )
    start = time.perf_counter()
    with vault.transaction():
        vault.add_all(people)
        vault.add_all(gifts)
    read_people, read_gifts = vault.list(Person), vault.list(Gift)
    elapsed = time.perf_counter() - start
    assert len(read_people) == PEOPLE and len(read_gifts) == GIFTS
    vault.close()
    return elapsed


def time_plain_sqlite(folder: Path) -> float:
    """Floor: the same number of rows and bytes with no ORM, no JSON, no cipher."""
    path = folder / f"plain{time.monotonic_ns()}.sqlite3"
    rows = [(f"{i:032x}", b"x" * 150) for i in range(PEOPLE + GIFTS)]
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, sealed BLOB)")
    with db:
        db.executemany("INSERT INTO t VALUES (?, ?)", rows)
    assert len(db.execute("SELECT id, sealed FROM t").fetchall()) == len(rows)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def cold_person_list(folder: Path) -> tuple[float, float]:
    path = folder / "cold.sqlite3"
    people, _ = make_records()
    with Vault.create(path, "benchmark passphrase") as vault:  # real Argon2id parameters
        vault.add_all(people)
        kdf = vault.header.kdf
    from profilekeeper.store.crypto import derive_kek

    kdf_times = []
    for _ in range(3):
        start = time.perf_counter()
        derive_kek("benchmark passphrase", kdf)
        kdf_times.append(time.perf_counter() - start)
    env = {
        **os.environ,
        "PROFILEKEEPER_VAULT": str(path),
        "PROFILEKEEPER_PASSPHRASE": "benchmark passphrase",
    }
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "profilekeeper", "person", "list", "--json"],
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(kdf_times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        time_store(AesGcmCipher, folder)  # warm caches and imports once
        # Interleaved, so load from elsewhere on the machine falls on both alike.
        sealed_runs, null_runs = [], []
        for _ in range(REPEATS):
            sealed_runs.append(time_store(AesGcmCipher, folder))
            null_runs.append(time_store(lambda key: NullCipher(), folder))
        sealed, null = statistics.median(sealed_runs), statistics.median(null_runs)
        plain = statistics.median(time_plain_sqlite(folder) for _ in range(REPEATS))
        cold, kdf = cold_person_list(folder)
    results = {
        "work": f"write + read back {GIFTS:,} gifts and {PEOPLE:,} people through the store",
        "repeats": REPEATS,
        "sealed_aes_gcm_s": round(sealed, 4),
        "null_cipher_s": round(null, 4),
        "ratio_sealed_to_null": round(sealed / null, 3),
        "ratio_goal": 1.3,
        "plain_sqlite3_floor_s": round(plain, 4),
        "cold_person_list_1000_people_s": round(cold, 4),
        "of_which_argon2id_unlock_s": round(kdf, 4),
        "sqlcipher": "not measured: sqlcipher3 needs libsqlcipher, not installed here",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    for key, value in results.items():
        print(f"{key:34} {value}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
