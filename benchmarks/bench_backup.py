"""Backup and restore of a 1,000-person vault (#18 §6).

The vault is ``demo.synthetic_people(1000)`` (1,000 people, 2,000 occasions, 1,000 interests)
plus a gift for each person. Timed, median of ``--runs``, with the vault already unlocked
(Argon2 is once per command and timed apart):

    backup    ``services.make_backup``: the in-memory snapshot, sealed, written, fsynced
    restore   ``services.restore_backup`` over the existing vault: decrypted beside it,
              integrity_check, opened with the key, renamed into place (the old one kept)
    cli       ``profilekeeper backup`` then ``restore --replace`` as real processes, real
              Argon2 (64 MiB) once each: what a user waits for

    .venv/bin/python benchmarks/bench_backup.py [--runs N]

Results go to benchmarks/results/backup.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from profilekeeper import services
from profilekeeper.demo import synthetic_people
from profilekeeper.model import Gift, Person
from profilekeeper.store.vault import Vault

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _results, when a test imports this
from _results import summary_row, write_results  # noqa: E402

PEOPLE = 1000
PASSPHRASE = "bench backup passphrase"


def median_of(runs: int, work: Callable[[], object]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, from a results file's figures (#18 §6 states no time goal)."""
    command = data.get("command", "python benchmarks/bench_backup.py").removeprefix(".venv/bin/")
    people = f"{data.get('people', PEOPLE):,}-person vault"
    runs = f"median of {len(data['backup_runs_s'])}, " if "backup_runs_s" in data else ""
    rows = []
    for key, what in (("backup_s", f"backup of a {people} ({runs}unlocked)"),
                      ("restore_s", f"restore of a {people} ({runs}unlocked, verified)"),
                      ("cli_backup_s", f"CLI backup of a {people} (process, Argon2 included)"),
                      ("cli_restore_s", f"CLI restore --replace of a {people} (process, Argon2 "
                                        "included)")):  # fmt: skip
        if key in data:
            rows.append(summary_row(what, None, data[key], "s", command))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as work:
        folder = Path(work)
        vault_path, file = folder / "vault.sqlite3", folder / "vault.pkb"
        made = synthetic_people(PEOPLE, seed=3)
        with Vault.create(vault_path, PASSPHRASE) as vault:
            with vault.transaction():
                for records in made.values():
                    vault.save_all(records)
                vault.save_all(Gift(title=f"Book {n}", person_id=p.id)
                               for n, p in enumerate(made[Person]))  # fmt: skip
            vault.checkpoint()  # the records in the file itself, not its -wal
            size = vault_path.stat().st_size
            backup_s, backup_runs = median_of(
                args.runs, lambda: services.make_backup(vault, str(file))
            )
            key = vault.data_key
        found = services.read_backup(str(file))
        found.unlock_with_data_key(key)

        def restore() -> None:
            services.restore_backup(found, vault_path, replace=True)
            for kept in folder.glob("vault.sqlite3.before-restore*"):
                kept.unlink()

        restore_s, restore_runs = median_of(args.runs, restore)
        env = {**os.environ, "PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
        cli = ["--vault", str(vault_path)]

        def command(*argv: str) -> float:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "profilekeeper", *cli, *argv], env=env,
                           check=True, capture_output=True)  # fmt: skip
            return time.perf_counter() - start

        cli_backup = command("backup", str(file))
        cli_restore = command("restore", "--replace", str(file))
        backup_size = file.stat().st_size
    result = {
        "people": PEOPLE,
        "vault_bytes": size,
        "backup_bytes": backup_size,
        "backup_s": round(backup_s, 4),
        "restore_s": round(restore_s, 4),
        "backup_runs_s": [round(t, 4) for t in backup_runs],
        "restore_runs_s": [round(t, 4) for t in restore_runs],
        "cli_backup_s": round(cli_backup, 3),
        "cli_restore_s": round(cli_restore, 3),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "command": ".venv/bin/python benchmarks/bench_backup.py",
    }
    print(f"{PEOPLE} people, vault {size / 2**20:.1f} MiB, backup {backup_size / 2**20:.1f} MiB")
    print(f"backup  {backup_s * 1000:.0f} ms (median of {args.runs}, unlocked)")
    print(f"restore {restore_s * 1000:.0f} ms (median of {args.runs}, unlocked, verified)")
    print(f"CLI: backup {cli_backup:.2f} s, restore --replace {cli_restore:.2f} s "
          "(process start and Argon2 included)")  # fmt: skip
    write_results("backup", result, summarize(result))


if __name__ == "__main__":
    main()
