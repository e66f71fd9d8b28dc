"""Filter + rank + explain 100,000 stored suggestions against a profile of 500 interests and
200 rules (goal: ≥ 200,000 suggestions a second), and the peak memory it takes.

The suggestions come from three shops, a fifth of them gift ideas for 50 people (with budgets
and birthdays), in the four kinds, with creators, tags and titles drawn so that some match the
interests and rules (loves, likes, dislikes, nevers; hide, boost and bury rules on creators,
categories, tags, titles, shops, kinds and prices), some repeat across shops, and some are past
events and offers. The records are in memory: what is timed is ``context.build`` and
``pipeline.run``, what every read of the Suggestions screen or ``profilekeeper suggestions``
does after the vault has handed the records over. Each timed read gets new records with new
strings, as a vault read hands them over (made before the clock starts).

Two figures: a first read (``cold``: an empty memo, as the app's first read of a vault and
every ``profilekeeper suggestions`` run has) and a read after one (``warm``: the memo the app
keeps per open vault, suggestions/prepare.py, of what each item's own text gave, and beside
copies of the interests, rules and shops, what they made of each item: with new records of
equal fields each read, as a vault read hands them over). Peak memory is measured by
tracemalloc on a separate warm read (tracing slows Python down), beside what the memo itself
holds. Wall time and CPU time are both given: on a shared machine the wall time includes
waiting for a core; the load average is recorded.

    .venv/bin/python benchmarks/bench_suggestions.py [--runs N]

Results go to benchmarks/results/suggestions.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from _results import dig, summary_rows, write_results

from profilekeeper.model import (
    Grant,
    Interest,
    Occasion,
    Person,
    Profile,
    Retailer,
    Rule,
    RuleAction,
    Sentiment,
    Suggestion,
)
from profilekeeper.suggestions import build, run
from profilekeeper.suggestions.prepare import Memo
from profilekeeper.sync.slices import person_ref

GOAL_PER_SECOND = 200_000
SUGGESTIONS, INTERESTS, RULES, PEOPLE = 100_000, 500, 200, 50
COMMAND = "python benchmarks/bench_suggestions.py"
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CATEGORIES = ("music", "films", "books", "games", "clothing", "food", "toys", "art")
WORDS = tuple(f"{a}{b}" for a in ("night", "blue", "river", "glass", "summer", "echo", "wild",
                                   "paper", "stone", "dream")
              for b in ("", "s", "er", "ing", "ed", "ly", "ful", "less", "ish", "ward",
                        "y", "ness", "dom", "hood", "ship", "al", "ic", "ous", "ive", "en"))
"""200 title words."""


def records(seed: int = 3) -> dict[str, Any]:
    rnd = random.Random(seed)
    creators = [f"Creator {n}" for n in range(2_000)]
    tags = [f"tag{n}" for n in range(300)]
    shops = [Retailer(name=f"Shop {n}", base_url=f"https://shop{n}.example") for n in range(3)]
    people = [Person(name=f"Person {n}", budget=Decimal(rnd.choice((20, 30, 50, 100))),
                     currency="EUR") for n in range(PEOPLE)]  # fmt: skip
    occasions = [Occasion("birthday", rnd.randint(1, 12), rnd.randint(1, 28), person_id=p.id)
                 for p in people]  # fmt: skip
    grants = [Grant(s.id, "people", since=NOW - timedelta(days=1), person_id=p.id)
              for s in shops for p in people]  # fmt: skip
    refs = {s.id: [person_ref(s.ref_key, p.id) for p in people] for s in shops}
    sentiments = (Sentiment.LOVE, Sentiment.LIKE, Sentiment.DISLIKE, Sentiment.NEVER)
    interests = []
    for n in range(INTERESTS):
        name = rnd.choices((rnd.choice(creators), rnd.choice(tags), rnd.choice(WORDS)),
                           (6, 3, 1))[0]
        person = rnd.choice(people).id if n % 5 == 0 else None
        interests.append(Interest(rnd.choice(CATEGORIES), name,
                                  rnd.choices(sentiments, (3, 5, 2, 1))[0], person_id=person))
    rules = []
    for n in range(RULES):
        field = rnd.choice(("creator", "category", "tag", "title", "shop", "kind", "price"))
        value = {
            "creator": lambda: rnd.choice(creators), "category": lambda: rnd.choice(CATEGORIES),
            "tag": lambda: rnd.choice(tags), "title": lambda: " ".join(rnd.sample(WORDS, 2)),
            "shop": lambda: rnd.choice(shops).name, "kind": lambda: "offer",
            "price": lambda: f">{rnd.randint(50, 500)}",
        }[field]()  # fmt: skip
        match = {field: value}
        if field in ("shop", "kind", "category"):
            match["price"] = f">{rnd.randint(20, 200)}"  # else one rule hides a whole shop
        action = rnd.choices((RuleAction.HIDE, RuleAction.BOOST, RuleAction.BURY), (1, 3, 2))[0]
        rules.append(Rule(action, match, person_id=rnd.choice(people).id if n % 10 == 0 else None))
    suggestions = []
    for n in range(SUGGESTIONS):
        shop = rnd.choice(shops)
        kind = rnd.choice(("product", "release", "event", "offer"))
        day = TODAY + timedelta(days=rnd.randint(-10, 90))
        details: dict[str, Any] = {
            "release": {"release_date": day.isoformat()},
            "event": {"city": rnd.choice(("Lisbon", "Lisbon", "Porto")), "venue": "Hall",
                      "date": f"{day.isoformat()}T20:00:00Z"},
            "offer": {"discount_percent": 20, "expires_at": f"{day.isoformat()}T23:59:00Z"},
        }.get(kind, {})  # fmt: skip
        gift = n % 5 == 0
        title = " ".join(rnd.sample(WORDS, 3)).title() + f" {n % 20_000}"
        suggestions.append(Suggestion(
            retailer_id=shop.id, remote_id=f"s{n}", kind=kind, title=title,
            creators=[rnd.choice(creators)], category=rnd.choice(CATEGORIES),
            tags=rnd.sample(tags, 3), price=Decimal(rnd.randint(5, 300)), currency="EUR",
            url=f"https://shop.example/p/{n}",
            for_ref=rnd.choice(refs[shop.id]) if gift else "self",
            reason="because you like things", details=details, received_at=NOW,
        ))  # fmt: skip
    return {"profile": Profile(display_name="Alex", city="Lisbon"), "interests": interests,
            "rules": rules, "people": people, "occasions": occasions, "shops": shops,
            "grants": grants, "suggestions": suggestions}  # fmt: skip


def _new(text: str) -> str:
    return text.encode().decode()  # equal, but another object: as a vault read makes it


def as_read(suggestions: list[Suggestion]) -> list[Suggestion]:
    """New records with new strings, as a vault read hands them over."""
    return [replace(s, retailer_id=_new(s.retailer_id), remote_id=_new(s.remote_id),
                    kind=_new(s.kind), title=_new(s.title), creators=list(map(_new, s.creators)),
                    category=_new(s.category), tags=list(map(_new, s.tags)), url=_new(s.url),
                    for_ref=_new(s.for_ref), reason=_new(s.reason),
                    details={k: _new(v) if isinstance(v, str) else v
                             for k, v in s.details.items()})
            for s in suggestions]  # fmt: skip


def fresh(records: list[Any]) -> list[Any]:
    """New records, equal in every field (a rule's match its own), as a vault read makes."""
    return [replace(r, match=dict(r.match)) if isinstance(r, Rule) else replace(r)
            for r in records]


def once(made: dict[str, Any], items: list[Suggestion], memo: Memo | None,
         read: tuple[list[Interest], list[Rule]] | None = None) -> Any:  # fmt: skip
    """``read``: this read's interests and rules (else the ones made)."""
    interests, rules = read or (made["interests"], made["rules"])
    ctx = build(profile=made["profile"], interests=interests, rules=rules,
                people=made["people"], occasions=made["occasions"], shops=made["shops"],
                grants=made["grants"], today=TODAY, now=NOW)  # fmt: skip
    return run(items, ctx, memo)


def timed(made: dict[str, Any], runs: int, memo: Memo | None) -> dict[str, float]:
    """``memo`` None: each run with a memo of its own, empty."""
    times, cpu = [], []
    for _ in range(runs):
        items = as_read(made["suggestions"])
        read = fresh(made["interests"]), fresh(made["rules"])
        start, start_cpu = time.perf_counter(), time.process_time()
        once(made, items, memo or Memo(), read)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        del items
    median, cpu_median = statistics.median(times), statistics.median(cpu)
    return {"median_s": round(median, 4), "min_s": round(min(times), 4),
            "per_second_median": round(SUGGESTIONS / median),
            "cpu_median_s": round(cpu_median, 4), "cpu_min_s": round(min(cpu), 4),
            "per_second_cpu_median": round(SUGGESTIONS / cpu_median),
            "ratio_to_goal_cpu": round(SUGGESTIONS / cpu_median / GOAL_PER_SECOND, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    made = records()
    load_before = os.getloadavg()[0]
    memo = Memo()
    result = once(made, as_read(made["suggestions"]), memo)  # warm up, and fill the memo
    cold = timed(made, args.runs, None)
    warm = timed(made, args.runs, memo)
    tracemalloc.start()
    kept = Memo()
    once(made, as_read(made["suggestions"]), kept)
    memo_bytes = tracemalloc.get_traced_memory()[0]
    items = as_read(made["suggestions"])
    read = fresh(made["interests"]), fresh(made["rules"])
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    once(made, items, kept, read)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    hidden_reasons: dict[str, int] = {}
    for r in result.hidden:  # by the reason's first words ("your rule: hide", "over Person…")
        words = " ".join((r.hidden_reason or "").split(" ")[0:2])
        hidden_reasons[words] = hidden_reasons.get(words, 0) + 1
    figures = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},  # fmt: skip
        "suggestions": SUGGESTIONS, "interests": INTERESTS, "rules": RULES, "people": PEOPLE,
        "shown": len(result.shown), "hidden": len(result.hidden),
        "dropped": sum(result.dropped.values()),
        "hidden_by_reason_start": dict(sorted(hidden_reasons.items(), key=lambda kv: -kv[1])),
        "runs": args.runs,
        "cold": cold,
        "warm": warm,
        "peak_memory_mib": round(peak / 2**20, 1),
        "peak_memory_bytes_per_suggestion": round(peak / SUGGESTIONS),
        "memo_mib": round(memo_bytes / 2**20, 1),
        "goal_per_second": GOAL_PER_SECOND,
        "meets_goal_warm_cpu": warm["per_second_cpu_median"] >= GOAL_PER_SECOND,
        "meets_goal_cold_cpu": cold["per_second_cpu_median"] >= GOAL_PER_SECOND,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }  # fmt: skip
    print(f"{SUGGESTIONS:,} suggestions, {INTERESTS} interests, {RULES} rules "
          f"(load average {load_before:.1f} → {os.getloadavg()[0]:.1f}):")
    for name, got in (("first read (cold)", cold), ("next reads (warm)", warm)):
        print(f"  {name}: CPU median {got['cpu_median_s'] * 1000:.0f} ms = "
              f"{got['per_second_cpu_median']:,}/s (ratio to goal {got['ratio_to_goal_cpu']}), "
              f"wall median {got['median_s'] * 1000:.0f} ms = {got['per_second_median']:,}/s")
    print(f"  goal {GOAL_PER_SECOND:,}/s; peak memory of a read {peak / 2**20:.1f} MiB, "
          f"the memo kept between reads {memo_bytes / 2**20:.1f} MiB; "
          f"{len(result.shown):,} shown, {len(result.hidden):,} hidden")  # fmt: skip
    write_results("suggestions", figures, summarize(figures))


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Suggestions a CPU second, on later reads (the memo warm) and a first; a read's peak."""
    work = "100,000 stored, 500 interests, 200 rules"
    return summary_rows(
        COMMAND,
        (f"suggestions filtered, ranked, explained, later reads ({work}): per CPU second",
         GOAL_PER_SECOND, dig(data, "warm", "per_second_cpu_median"), "suggestions/s"),
        (f"suggestions filtered, ranked, explained, first read ({work}): per CPU second",
         GOAL_PER_SECOND, dig(data, "cold", "per_second_cpu_median"), "suggestions/s"),
        (f"suggestions: peak memory of a later read ({work}, tracemalloc)", None,
         dig(data, "peak_memory_mib"), "MiB"),
    )  # fmt: skip


if __name__ == "__main__":
    main()
