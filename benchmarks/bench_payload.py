"""Building the payload for one shop from a 10,000-person vault with 1,000 people granted.

Three figures:

(a) ``build_profile_put`` from records already in memory (goal ≤ 0.2 s);
(b) for comparison, not what a share does: every record of every type the payload needs read
    from a real sealed vault file (``vault.list``, on an unlocked vault), then the build, with
    each step timed;
(c) what a share does (``services.grants.outgoing``): the grants first, then only the people
    granted and the owner's own records read, then the build (goal ≤ 0.2 s).

The vault is ``demo.synthetic_people(10_000)`` (10,000 people, 20,000 occasions, 10,000
interests) plus a few interests and purchases of the owner's, one shop and its grants:
greeting, interests.music, location.city, purchases, occasions.upcoming and 1,000 people.
The protocol caps a share at 200 slices, so 195 people are sent (those with the soonest
dates); the other 805 are withheld with their reason. Unlocking (Argon2) is once a session
and is not in (b).

    .venv/bin/python benchmarks/bench_payload.py [--runs N]

Results go to benchmarks/results/payload.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _results import summary_row, write_results

from profilekeeper.demo import synthetic_people
from profilekeeper.model import (
    Grant,
    Interest,
    Occasion,
    Person,
    Profile,
    Purchase,
    Retailer,
    Sentiment,
)
from profilekeeper.store.vault import Vault
from profilekeeper.sync import SLICE_FAMILIES
from profilekeeper.sync.payload import build_profile_put
from profilekeeper.sync.slices import ProfileSource

GOAL_SECONDS = 0.2
PEOPLE, GRANTED = 10_000, 1_000
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def records() -> dict[type, list[Any]]:

    made = synthetic_people(PEOPLE, seed=7)
    made[Interest] += [Interest("music", f"Artist {n}", Sentiment.LOVE) for n in range(40)]
    made[Purchase] = [Purchase(f"Record {n}", category="music", creators=[f"Artist {n}"])
                      for n in range(100)]  # fmt: skip
    made[Profile] = [Profile(display_name="Alex Example", city="Lisbon", opted_in=True)]
    shop = Retailer(
        name="Bench Shop",
        base_url="https://shop.example",
        terms={"retention_days": 90, "purposes": ["recommendations"]},
        discovery={"slices_accepted": list(SLICE_FAMILIES)},
    )
    made[Retailer] = [shop]
    since = NOW - timedelta(days=1)
    names = ["greeting", "interests.music", "location.city", "purchases", "occasions.upcoming"]
    made[Grant] = [Grant(shop.id, n, since=since) for n in names] + [
        Grant(shop.id, "people", since=since, person_id=p.id) for p in made[Person][:GRANTED]
    ]
    return made


def unstamped(out: Any) -> bytes:
    """The body without its random receipt id: the same records give the same bytes."""
    return bytes(out.body.replace(out.put.receipt.receipt_id.encode(), b""))


def median_of(runs: int, work: Callable[[], object]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def load_and_build(vault: Any, timed: Callable[[str, Callable[[], Any]], Any]) -> Any:
    """(b): every record the payload needs read from the vault file, then the build."""
    source = ProfileSource(
        timed("profile", vault.profile),
        timed("list people", lambda: vault.list(Person)),
        timed("list interests", lambda: vault.list(Interest)),
        timed("list occasions", lambda: vault.list(Occasion)),
        timed("list purchases", lambda: vault.list(Purchase)),
    )
    (shop,) = timed("list retailers", lambda: vault.list(Retailer))
    grants = timed("list grants", lambda: vault.list(Grant))
    return timed("build", lambda: build_profile_put(source, shop, grants, now=NOW))


def load_granted_and_build(vault: Any, timed: Callable[[str, Callable[[], Any]], Any]) -> Any:
    """(c): what a share does (``services.grants.outgoing``): the grants first, then only the
    people granted and the owner's own records."""
    from profilekeeper.services.grants import outgoing

    (shop,) = timed("list retailers", lambda: vault.list(Retailer))
    return timed("outgoing", lambda: outgoing(vault, shop, now=NOW))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    made = records()
    (profile,), (shop,) = made[Profile], made[Retailer]
    source = ProfileSource(profile, made[Person], made[Interest], made[Occasion],
                           made[Purchase])  # fmt: skip
    grants = made[Grant]
    out = build_profile_put(source, shop, grants, now=NOW)  # warm up, and what is sent
    in_memory, memory_runs = median_of(
        args.runs, lambda: build_profile_put(source, shop, grants, now=NOW)
    )

    steps: dict[str, dict[str, list[float]]] = {"b": {}, "c": {}}

    def timer(figure: str) -> Callable[[str, Callable[[], Any]], Any]:
        def timed(step: str, work: Callable[[], Any]) -> Any:
            start = time.perf_counter()
            result = work()
            steps[figure].setdefault(step, []).append(time.perf_counter() - start)
            return result

        return timed

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        with Vault.create(path, "benchmark passphrase") as vault, vault.transaction():
            vault.save(profile)
            for cls in (Person, Interest, Occasion, Purchase, Retailer, Grant):
                vault.add_all(made[cls])
        size = path.stat().st_size
        with Vault.open(path) as vault:
            vault.unlock("benchmark passphrase")
            from_file, targeted = [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine load
                for times, load, figure in ((from_file, load_and_build, "b"),
                                            (targeted, load_granted_and_build, "c")):  # fmt: skip
                    start = time.perf_counter()
                    again = load(vault, timer(figure))
                    times.append(time.perf_counter() - start)
                    assert unstamped(again) == unstamped(out)
    loaded_median, targeted_median = statistics.median(from_file), statistics.median(targeted)
    phases = {figure: {step: round(statistics.median(times), 4) for step, times in done.items()}
              for figure, done in steps.items()}  # fmt: skip
    slowest = max(phases["b"], key=phases["b"].__getitem__)

    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},  # fmt: skip
        "vault": {"people": PEOPLE, "occasions": len(made[Occasion]),
                  "interests": len(made[Interest]), "purchases": len(made[Purchase]),
                  "people_granted": GRANTED, "file_bytes": size},  # fmt: skip
        "sent": {"slices": len(out.slices), "people": len(out.refs),
                 "body_bytes": len(out.body), "withheld": len(out.withheld)},  # fmt: skip
        "runs": args.runs,
        "build_in_memory_median_s": round(in_memory, 4),
        "build_in_memory_min_s": round(min(memory_runs), 4),
        "load_from_vault_and_build_median_s": round(loaded_median, 4),
        "load_from_vault_and_build_min_s": round(min(from_file), 4),
        "ratio_load_and_build_to_build": round(loaded_median / in_memory, 2),
        "load_granted_only_and_build_median_s": round(targeted_median, 4),
        "load_granted_only_and_build_min_s": round(min(targeted), 4),
        "phases_median_s": {"load_and_build": phases["b"], "load_granted_only": phases["c"]},
        "slowest_phase_of_load_and_build": slowest,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "goal_s": GOAL_SECONDS,
        "meets_goal_in_memory": in_memory <= GOAL_SECONDS,
        "meets_goal_from_vault_granted_only": targeted_median <= GOAL_SECONDS,
    }
    command = "python benchmarks/bench_payload.py"
    write_results("payload", result, [
        summary_row("share payload built from memory (10,000 people, 1,000 granted)",
                    GOAL_SECONDS, round(in_memory, 4), "s", command),
        summary_row("for comparison: every record read from the vault, then the payload built",
                    None, round(loaded_median, 4), "s", command),
        summary_row("share payload, granted people only read, and built", GOAL_SECONDS,
                    round(targeted_median, 4), "s", command),
    ])
    print(f"sent: {len(out.slices)} slices ({len(out.refs)} people), {len(out.body):,} bytes; "
          f"{len(out.withheld)} withheld")  # fmt: skip
    print(f"(a) build from memory      : median {in_memory * 1000:.1f} ms "
          f"(goal {GOAL_SECONDS * 1000:.0f} ms)")  # fmt: skip
    print(f"(b) load from vault + build: median {loaded_median * 1000:.1f} ms, "
          f"{loaded_median / in_memory:.1f}x (a)")  # fmt: skip
    for step, seconds in phases["b"].items():
        print(f"    {step:<16}: {seconds * 1000:7.1f} ms")
    print(f"    slowest step: {slowest!r}")
    print(f"(c) load only the people granted (and the owner's own) + build: median "
          f"{targeted_median * 1000:.1f} ms (goal {GOAL_SECONDS * 1000:.0f} ms)")  # fmt: skip
    for step, seconds in phases["c"].items():
        print(f"    {step:<16}: {seconds * 1000:7.1f} ms")

if __name__ == "__main__":
    main()
