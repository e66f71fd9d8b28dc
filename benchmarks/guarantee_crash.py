"""Crash safety, proven: a writer killed with SIGKILL at random moments never costs a write.

One vault file is reused across every kill, as on a real machine. A writer process (forked from
this pre-imported one, so a kill costs milliseconds, not a Python start) opens and unlocks it
and writes in a loop through the services layer, as the app and the CLI do: people, occasions,
gifts, a grant, and a sync result written the way ``sync`` writes one (a share's activity
record with its consent receipt, the earlier receipts superseded, the shop's suggestions
replaced, the fetch record), without a network. Each write is one transaction around the
service calls (theirs nest in it); before it commits, the writer reports what the vault will
hold once it has (read back inside that transaction), and after the commit that it is done.
The parent SIGKILLs it a random 0-20 ms after its 0th to 3rd report of a write done (one kill
in five: that long after the fork, so some land in the open and the unlock), then checks:

- the vault opens and unlocks, and ``PRAGMA integrity_check`` says ok;
- every record of every kind is what the last reported write left, or (a write under way at
  the kill) what that write leaves: all of it or none of it, nothing lost, nothing extra;
- every record opens (none corrupted) and the sealed occasion date index agrees with the
  occasions (store/occasion_dates.py).

    .venv/bin/python benchmarks/guarantee_crash.py [--kills N]   (or GUARANTEE_KILLS=N)

Prints the figures and writes benchmarks/results/guarantee_crash.json.
tests/hardening/test_crash_safety.py runs the same code at CI scale.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from profilekeeper import services
from profilekeeper.model import (
    Gift,
    GiftStatus,
    Grant,
    Occasion,
    Person,
    Retailer,
    ShareRecord,
    Suggestion,
)
from profilekeeper.services import sharing
from profilekeeper.store.crypto import KdfParams
from profilekeeper.sync.client import SuggestionBatch
from profilekeeper.sync.protocol import ProductSuggestion

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _results, when a test imports this
from _results import summary_row, write_results  # noqa: E402

PASSPHRASE = "correct horse battery"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
"""Weak on purpose: unlocking is not what is tested, and it runs once a kill."""
KINDS: tuple[type[Any], ...] = (Person, Occasion, Gift, Grant, Retailer, ShareRecord, Suggestion)
MAX_DELAY = 0.02
"""A kill comes up to this long after the writer reported its last write before the kill: the
next write is under way (or about to be). One in five comes that long after the fork instead,
so some land in the open and the unlock."""
MAX_WRITES = 3
"""How many writes, at most, a writer reports done before the moment its kill is timed from."""
EARLY = 0.2
WAIT = 10.0
"""How long a writer may take to report anything at all before the kill comes regardless."""
TERMS = {"retention_days": 30, "purposes": ["recommendations", "gift_ideas"], "resale": False,
         "third_party_sharing": False, "privacy_policy_url": "https://shop.example/privacy"}
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

State = dict[type[Any], dict[str, Any]]
"""Every record of each kind, by id: what the vault must hold."""
Change = list[tuple[str, type[Any], list[Any]]]
"""What one write leaves: ("upsert", kind, records) or ("all", kind, every record of it)."""


def applied(state: State, change: Change) -> State:
    after = {cls: dict(records) for cls, records in state.items()}
    for mode, cls, records in change:
        if mode == "all":
            after[cls] = {}
        after[cls].update((r.id, r) for r in records)
    return after


# -- the writer (a forked child) ----------------------------------------------------------


@dataclass
class Writer:
    vault: Any
    state: State
    rng: random.Random
    tag: str
    count: int = 0
    shop: Retailer = field(init=False)

    def __post_init__(self) -> None:
        self.shop = next(iter(self.state[Retailer].values()))

    def name(self) -> str:
        self.count += 1
        return f"{self.tag}-{self.count}"

    def pick(self, cls: type[Any]) -> Any | None:
        records = list(self.state[cls].values())
        return self.rng.choice(records) if records else None

    def back(self, cls: type[Any], *records: Any) -> tuple[str, type[Any], list[Any]]:
        """The records as the open transaction will commit them."""
        return "upsert", cls, [self.vault.get(cls, r.id) for r in records]

    # Each write: service calls, then what the vault holds once they commit.

    def add_person(self) -> Change:
        person = services.add_person(self.vault, Person(name=f"Person {self.name()}",
                                                        relationship="friend"))  # fmt: skip
        birthday = services.add_occasion(self.vault, person.id, Occasion(
            kind="birthday", month=self.rng.randint(1, 12), day=self.rng.randint(1, 28)))
        return [self.back(Person, person), self.back(Occasion, birthday)]

    def edit_person(self) -> Change:
        if (person := self.pick(Person)) is None:
            return self.add_person()
        changed = services.save_person(self.vault, replace(
            person, notes=f"notes {self.name()}", budget=Decimal(self.rng.randint(5, 500))))
        return [self.back(Person, changed)]

    def add_occasion(self) -> Change:
        if (person := self.pick(Person)) is None:
            return self.add_person()
        occasion = services.add_occasion(self.vault, person.id, Occasion(
            kind="visit", month=self.rng.randint(1, 12), day=self.rng.randint(1, 28),
            year=2027, yearly=False, label=f"visit {self.name()}"))  # fmt: skip
        return [self.back(Occasion, occasion)]

    def edit_occasion(self) -> Change:
        if (occasion := self.pick(Occasion)) is None:
            return self.add_person()
        moved = services.save_occasion(self.vault, replace(
            occasion, month=self.rng.randint(1, 12), day=self.rng.randint(1, 28),
            lead_days=[self.rng.randint(1, 30), 1]))  # fmt: skip
        return [self.back(Occasion, moved)]

    def add_gift(self) -> Change:
        if (person := self.pick(Person)) is None:
            return self.add_person()
        gift = services.add_gift(self.vault, Gift(
            title=f"gift {self.name()}", price=Decimal("12.50"), currency="EUR"), person.id)
        return [self.back(Gift, gift)]

    def edit_gift(self) -> Change:
        if (gift := self.pick(Gift)) is None:
            return self.add_gift()
        bought = services.save_gift(self.vault, replace(
            gift, status=GiftStatus.BOUGHT, title=f"bought {self.name()}"))
        return [self.back(Gift, bought)]

    def grant(self) -> Change:
        """Grant a person to the shop, or set the end of their grant (the same record)."""
        if (person := self.pick(Person)) is None:
            return self.add_person()
        until = NOW + timedelta(days=self.rng.randint(1, 90)) if self.rng.random() < 0.5 else None
        services.grant_slice(self.vault, self.shop, "people", person=person.name, until=until,
                             now=NOW)  # fmt: skip
        return [("all", Grant, list(self.vault.list(Grant)))]

    def sync_result(self) -> Change:
        """What ``sync`` writes once a shop answered: share record and receipt, suggestions."""
        out = services.outgoing(self.vault, self.shop, now=NOW)
        run = self.name()
        items = [ProductSuggestion.model_validate({
            "id": f"s-{run}-{i}", "title": f"Item {i}", "category": "books",
            "url": f"https://shop.example/p/{i}", "reason": "popular", "for": "self",
        }) for i in range(self.rng.randint(0, 4))]  # fmt: skip
        plan = sharing._Plan(self.shop, fetch=True, out=out)
        answer = sharing._Answer(batch=SuggestionBatch(items=list(items), dropped=[], pages=1))
        sharing._apply(self.vault, plan, answer, NOW)
        return [("all", ShareRecord, list(self.vault.list(ShareRecord))),
                ("all", Suggestion, list(self.vault.list(Suggestion)))]

    WRITES: tuple[tuple[Callable[[Writer], Change], int], ...] = (
        (add_person, 3), (edit_person, 3), (add_occasion, 2), (edit_occasion, 3),
        (add_gift, 3), (edit_gift, 2), (grant, 2), (sync_result, 1),
    )  # fmt: skip

    def run(self, report: Connection) -> None:
        writes, weights = zip(*self.WRITES, strict=True)
        while True:
            write = self.rng.choices(writes, weights)[0]
            with self.vault.transaction():
                change = write(self)
                report.send(("intent", write.__name__, change))  # then it commits
            report.send(("done",))
            self.state = applied(self.state, change)


def _child(path: Path, state: State, seed: int, report: Connection) -> None:
    """The writer's whole life: open, unlock, write until killed."""
    try:
        vault = services.open_vault(path)
        vault.unlock(PASSPHRASE)
        report.send(("ready",))
        Writer(vault, state, random.Random(seed), f"w{seed}").run(report)
    except BaseException as error:  # noqa: BLE001 - told to the parent, which fails on it
        report.send(("crash", f"{type(error).__name__}: {error}"))
    finally:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup: the parent's state is not ours


# -- the parent: kill, then check ---------------------------------------------------------


class Lost(AssertionError):
    """The vault after a kill is not what the writer had reported (or it does not open)."""


def make_vault(path: Path) -> State:
    from profilekeeper.store.vault import Vault

    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
        services.set_profile(vault, name="Robin", city="Lisbon", opted_in=True)
        discovery = {"protocol": "profilekeeper-sync", "api_versions": ["1"], "base_path": "/v1",
                     "retailer": {"id": "shop", "name": "Shop"},
                     "slices_accepted": ["greeting", "people.*", "occasions.upcoming"],
                     "suggestion_kinds": ["product"], "terms": TERMS}  # fmt: skip
        shop = vault.add(Retailer(name="Shop", base_url="https://shop.example", link_id="l1",
                                  token="t" * 43, terms=TERMS, discovery=discovery, gpc=True,
                                  linked_at=NOW, shop_id="shop"))  # fmt: skip
        services.grant_slice(vault, shop, "greeting", now=NOW)
        return read_state(vault)


def read_state(vault: Any) -> State:
    state: State = {}
    for cls in KINDS:
        listing = vault.list(cls)
        if listing.corrupted:
            raise Lost(f"{len(listing.corrupted)} {cls.__name__} record(s) do not open")
        state[cls] = {r.id: r for r in listing}
    return state


def check(path: Path, state: State, pending: Change | None) -> State:
    """What the vault holds after a kill, if it is all it must be (else ``Lost``)."""
    with sqlite3.connect(path) as db:
        (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
    db.close()
    if verdict != "ok":
        raise Lost(f"integrity_check: {verdict}")
    vault = services.open_vault(path)
    try:
        vault.unlock(PASSPHRASE)
        found = read_state(vault)
        index = vault.occasion_dates()
    finally:
        vault.close()
    if found != state and (pending is None or found != applied(state, pending)):
        missing = {cls.__name__: len(set(state[cls]) - set(found[cls])) for cls in KINDS}
        raise Lost(f"the vault is neither the reported state nor the write under way: {missing}")
    if index is None or index.unreadable:
        raise Lost("the sealed occasion index is missing or names unreadable occasions")
    dates = sorted((o.id, o.month, o.day, o.year, o.yearly) for o in found[Occasion].values())
    if sorted(tuple(d) for d in index.dates) != dates:
        raise Lost("the sealed occasion index disagrees with the occasions")
    return found


@dataclass
class Figures:
    kills: int = 0
    survived: int = 0
    writes_done: int = 0
    """Writes the writer reported done (all of them found after the kills)."""
    killed_mid_write: int = 0
    """Kills that came while a write was under way (reported begun, not done)."""
    mid_write_landed: int = 0
    """Of those, the writes found committed all the same (the kill came after the commit)."""
    killed_before_ready: int = 0
    writes_by_kind: dict[str, int] = field(default_factory=dict)
    records_at_end: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def one_kill(path: Path, state: State, rng: random.Random, seed: int,
             figures: Figures) -> State:  # fmt: skip
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        reader.close()
        _child(path, state, seed, writer)
    writer.close()
    timed, delay = rng.random() < EARLY, rng.uniform(0, MAX_DELAY)
    writes = rng.randint(0, MAX_WRITES)  # reported done, then the kill is timed
    deadline = time.monotonic() + (delay if timed else WAIT)
    pending: Change | None = None
    ready, done = False, 0

    def take(message: tuple[Any, ...]) -> None:
        nonlocal pending, ready, done, state, deadline, timed
        if message[0] == "crash":
            raise Lost(f"the writer failed: {message[1]}")
        if message[0] == "ready":
            ready = True
        elif message[0] == "intent":
            pending = message[2]
            figures.writes_by_kind[message[1]] = figures.writes_by_kind.get(message[1], 0) + 1
        else:
            assert pending is not None
            state, pending = applied(state, pending), None
            figures.writes_done += 1
            done += 1
        if not timed and ready and done == writes:
            timed, deadline = True, time.monotonic() + delay

    try:
        while (left := deadline - time.monotonic()) > 0:
            if reader.poll(left):
                take(reader.recv())
    except EOFError:
        pass  # the writer died by itself: told below, by its status
    finally:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    try:
        while reader.poll(0):  # what it had written before it died
            take(reader.recv())
    except (EOFError, OSError):
        pass  # a report cut short by the kill: not reported
    reader.close()
    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
        raise Lost(f"the writer ended by itself (status {status})")
    figures.kills += 1
    figures.killed_before_ready += not ready
    before = state
    state = check(path, state, pending)
    if pending is not None:
        figures.killed_mid_write += 1
        figures.mid_write_landed += state != before
    figures.survived += 1
    return state


def run(kills: int, folder: Path, seed: int = 0) -> Figures:
    path = folder / "vault.sqlite3"
    state = make_vault(path)
    figures, rng = Figures(), random.Random(seed)
    started = time.perf_counter()
    for i in range(kills):
        state = one_kill(path, state, rng, seed * 1_000_003 + i, figures)
    figures.seconds = round(time.perf_counter() - started, 2)
    figures.records_at_end = {cls.__name__: len(state[cls]) for cls in KINDS}
    return figures


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, from a results file's figures (a check that fails stops the run, so a
    file written with every kill survived had every write found)."""
    command = data.get("command", "python benchmarks/guarantee_crash.py")
    if "kills" not in data or "survived" not in data:
        return []
    rows = [summary_row("SIGKILLs survived (vault opens, integrity ok, each write all or none)",
                        data["kills"], data["survived"], "kills", command)]
    if "writes_done" in data and data["survived"] == data["kills"]:
        rows += [summary_row("writes reported done and found after the kills",
                             data["writes_done"], data["writes_done"], "writes", command),
                 summary_row("writes lost after a kill", "0", 0, "writes", command)]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=int(os.environ.get("GUARANTEE_KILLS", 1000)))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        figures = run(args.kills, Path(folder), args.seed)
    result = {
        **figures.__dict__,
        "kills_per_second": round(figures.kills / figures.seconds, 1),
        "seed": args.seed,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "command": f"python benchmarks/guarantee_crash.py --kills {args.kills}",
    }
    print(f"kills {figures.kills}, survived {figures.survived}; writes reported done "
          f"{figures.writes_done}, all found; killed mid-write {figures.killed_mid_write} "
          f"({figures.mid_write_landed} had committed); {figures.seconds} s "
          f"({result['kills_per_second']} kills/s)")  # fmt: skip
    print("records at the end:", figures.records_at_end)
    write_results("guarantee_crash", result, summarize(result))
    return 0 if figures.survived == figures.kills else 1


if __name__ == "__main__":
    sys.exit(main())
