"""Concurrency, proven: writers at once on one vault lose no write and never say "locked".

Two writer processes (forked from this pre-imported one) write in loops through the services
layer, as the app does: each adds people, gives them gifts and edits them, reporting every
write done. Meanwhile cron runs ``profilekeeper person add`` and ``profilekeeper remind`` as
real processes, over and over. At the end every write reported done is in the vault as it was
written, every command exited 0, and no failure of any kind ("database is locked" or other)
reached a writer or a command's stderr.

    .venv/bin/python benchmarks/guarantee_concurrency.py [--writes N] [--cron N]
    (or GUARANTEE_WRITES=N, GUARANTEE_CRON=N)

Prints the figures and writes benchmarks/results/guarantee_concurrency.json.
tests/hardening/test_concurrency.py runs the same code at CI scale, and the app open (Pilot) on
the vault while cron's commands run.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from profilekeeper import services
from profilekeeper.model import Gift, Person
from profilekeeper.store.crypto import KdfParams

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _results, when a test imports this
from _results import summary_row, write_results  # noqa: E402

PASSPHRASE = "correct horse battery"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def make_vault(path: Path) -> None:
    from profilekeeper.store.vault import Vault

    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
        services.set_profile(vault, name="Robin", opted_in=False)


# -- writers (forked children) ------------------------------------------------------------


def _write(vault: Any, rng: random.Random, tag: str, i: int, mine: list[Person]) -> Any:
    """One write of the app's kinds: a new person, a gift for one of mine, an edit of one."""
    choice = rng.random() if mine else 0.0
    if choice < 0.4:
        person = services.add_person(vault, Person(name=f"{tag} person {i}"))
        mine.append(person)
        return person
    person = rng.choice(mine)
    if choice < 0.7:
        return services.add_gift(vault, Gift(title=f"{tag} gift {i}", price=Decimal(i)),
                                 person.id)  # fmt: skip
    edited = services.save_person(vault, replace(person, notes=f"{tag} edit {i}"))
    mine[mine.index(person)] = edited
    return edited


def _writer(path: Path, tag: str, writes: int, seed: int, stop: Path,
            report: Connection) -> None:  # fmt: skip
    """At least ``writes`` writes, and on until ``stop`` exists (cron is done)."""
    try:
        rng, mine = random.Random(seed), []
        vault = services.open_vault(path)
        vault.unlock(PASSPHRASE)
        report.send(("ready",))
        i = 0
        while i < writes or not stop.exists():
            i += 1
            time.sleep(rng.uniform(0, 0.004))
            try:
                report.send(("done", _write(vault, rng, tag, i, mine)))
            except Exception as error:  # noqa: BLE001 - counted: the figure that must be 0
                report.send(("failed", type(error).__name__, str(error)[:200]))
        vault.close()
        report.send(("end",))
    finally:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup: the parent's state is not ours


@dataclass
class Writer:
    pid: int
    pipe: Connection
    done: list[Any] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    ended: bool = False


def start_writer(path: Path, tag: str, writes: int, seed: int, stop: Path) -> Writer:
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        reader.close()
        _writer(path, tag, writes, seed, stop, writer)
    writer.close()
    return Writer(pid, reader)


def collect(writer: Writer, timeout: float = 600) -> None:
    """Read the writer's reports until it ends (it is killed if it hangs)."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and writer.pipe.poll(deadline - time.monotonic()):
            message = writer.pipe.recv()
            if message[0] == "done":
                writer.done.append(message[1])
            elif message[0] == "failed":
                writer.failed.append(f"{message[1]}: {message[2]}")
            elif message[0] == "end":
                writer.ended = True
                break
    except EOFError:
        pass
    finally:
        if not writer.ended:
            os.kill(writer.pid, signal.SIGKILL)
        os.waitpid(writer.pid, 0)
        writer.pipe.close()


# -- cron ---------------------------------------------------------------------------------


@dataclass
class Cron:
    """``profilekeeper`` commands run as cron runs them: real processes, one after another."""

    path: Path
    runs: int
    added: list[str] = field(default_factory=list)
    """Names that ``person add`` said it added (exit 0)."""
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    def command(self, *argv: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
        return subprocess.run([sys.executable, "-m", "profilekeeper", *argv, "--vault",
                               str(self.path)], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip

    def run(self) -> None:
        for i in range(self.runs):
            name = f"Cron person {i}"
            for argv, ok in ((("person", "add", name), (0,)), (("remind",), (0, 1))):
                done = self.command(*argv)
                self.outcomes[f"{argv[0]} exit {done.returncode}"] += 1
                if done.returncode not in ok or done.stderr:
                    self.failures.append(f"{argv[0]}: exit {done.returncode}: {done.stderr[:300]}")
                elif argv[0] == "person":
                    self.added.append(name)

    def start(self) -> Cron:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(600)


# -- the whole run ------------------------------------------------------------------------


@dataclass
class Figures:
    writers: int = 2
    writes_done: int = 0
    writes_lost: int = 0
    writes_failed: int = 0
    locked_errors: int = 0
    cron_commands: dict[str, int] = field(default_factory=dict)
    cron_people_added: int = 0
    cron_people_lost: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def lost_writes(path: Path, done: list[Any], cron_names: list[str]) -> tuple[int, int]:
    """How many reported writes are not in the vault as written; how many of cron's people."""
    vault = services.open_vault(path)
    try:
        vault.unlock(PASSPHRASE)
        stored = {(type(r), r.id): r for cls in (Person, Gift) for r in vault.list(cls)}
    finally:
        vault.close()
    latest = {(type(r), r.id): r for r in done}  # an edit's record replaces the earlier one
    lost = sum(stored.get(key) != record for key, record in latest.items())
    names = {r.name for (cls, _), r in stored.items() if cls is Person}
    return lost, sum(name not in names for name in cron_names)


def run(folder: Path, writes: int, cron_runs: int, seed: int = 0) -> Figures:
    path = folder / "vault.sqlite3"
    make_vault(path)
    started = time.perf_counter()
    # The writers are forked before cron's thread starts: a fork copies only the forking thread.
    stop = folder / "cron-done"
    writers = [start_writer(path, tag, writes, seed * 10 + n, stop)
               for n, tag in enumerate("AB")]  # fmt: skip
    readers = [threading.Thread(target=collect, args=(w,), daemon=True) for w in writers]
    for reader in readers:  # reading as they write: a full pipe would stop a writer
        reader.start()
    cron = Cron(path, cron_runs).start()
    cron.join()
    stop.touch()
    for reader in readers:
        reader.join()
    figures = Figures(seconds=round(time.perf_counter() - started, 2))
    done = [r for w in writers for r in w.done]
    figures.writes_done = len(done)
    figures.writes_failed = sum(len(w.failed) for w in writers)
    figures.failures = [f for w in writers for f in w.failed] + cron.failures
    figures.failures += [f"writer {w.pid} did not finish" for w in writers if not w.ended]
    figures.locked_errors = sum("locked" in f for f in figures.failures)
    figures.cron_commands = dict(cron.outcomes)
    figures.cron_people_added = len(cron.added)
    figures.writes_lost, figures.cron_people_lost = lost_writes(path, done, cron.added)
    return figures


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, from a results file's figures."""
    command = data.get("command", "python benchmarks/guarantee_concurrency.py")
    rows = []
    if "writes_done" in data:
        rows.append(summary_row("writes done by 2 writers at once, cron running beside them",
                                None, data["writes_done"], "writes", command))
    if "writes_lost" in data:
        lost = data["writes_lost"] + data.get("cron_people_lost", 0)
        rows.append(summary_row("writes lost (writers' and cron's)", "0", lost, "writes", command))
    if "locked_errors" in data:
        rows.append(summary_row('"database is locked" failures', "0", data["locked_errors"],
                                "failures", command))  # fmt: skip
    if "cron_commands" in data:
        outcomes = data["cron_commands"]
        ok = sum(n for said, n in outcomes.items() if said.endswith(" exit 0"))
        rows.append(summary_row("cron commands (person add, remind) exiting 0",
                                sum(outcomes.values()), ok, "commands", command))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=int(os.environ.get("GUARANTEE_WRITES", 2000)),
                        help="writes by each writer, at least (more while cron runs)")  # fmt: skip
    parser.add_argument("--cron", type=int, default=int(os.environ.get("GUARANTEE_CRON", 20)),
                        help="cron rounds (person add, then remind)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        figures = run(Path(folder), args.writes, args.cron, args.seed)
    result = {**figures.__dict__, "seed": args.seed, "python": platform.python_version(),
              "cpus": os.cpu_count(), "command": "python benchmarks/guarantee_concurrency.py "
              f"--writes {args.writes} --cron {args.cron}"}  # fmt: skip
    print(f"2 writers: {figures.writes_done} writes done, {figures.writes_lost} lost, "
          f"{figures.writes_failed} failed ({figures.locked_errors} 'locked'); cron: "
          f"{figures.cron_commands}, {figures.cron_people_added} people added, "
          f"{figures.cron_people_lost} lost; {figures.seconds} s")
    for failure in figures.failures[:10]:
        print("  ", failure)
    write_results("guarantee_concurrency", result, summarize(result))
    ok = not (figures.failures or figures.writes_lost or figures.cron_people_lost)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
