"""Syncing several shops at once: wall time for 10 shops that each answer after 100 ms.

Starts 10 small shops (Starlette under uvicorn, each on its own 127.0.0.1 port, on threads of
this process), every answer held 100 ms, and times ``gather_shops`` over 10 fresh
``ShopClient``s (each its own httpx.AsyncClient, created inside the timing):

- one request each: ``discover()`` (goal: all 10 within 0.15 s; 0.10 s is the floor);
- a full sync each: ``discover()`` + ``put_profile()`` + ``suggestions()`` (one page), three
  requests in a row per shop, so 0.30 s is the floor.

The same work one shop after another is timed beside it, for the ratio. Median of RUNS runs
after a warm-up. Loopback only. Prints the figures and writes benchmarks/results/bench_sync.json.

    python benchmarks/bench_sync.py [--runs N] [--shops N] [--delay S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from _results import summary_row, write_results
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from profilekeeper.sync.client import ShopClient, gather_shops
from profilekeeper.sync.server import RunningServer

LINK = "0123456789abcdef0123456789abcdef"
TERMS = {"retention_days": 30, "purposes": ["recommendations"], "resale": False,
         "third_party_sharing": False, "privacy_policy_url": "https://shop.example/privacy"}
DISCOVERY = {"protocol": "profilekeeper-sync", "api_versions": ["1"], "base_path": "/v1",
             "retailer": {"id": "bench", "name": "Bench Shop"}, "slices_accepted": ["greeting"],
             "suggestion_kinds": ["product"], "features": [], "terms": TERMS,
             "limits": {"requests_per_minute": 6000}}
PAGE = {"items": [{"kind": "product", "id": f"p{n}", "title": f"Item {n}", "creators": ["A"],
                   "category": "books", "tags": [], "url": f"https://shop.example/p{n}",
                   "for": "self", "reason": "because"} for n in range(50)],
        "next_cursor": None}
BODY = json.dumps({"receipt": {"receipt_id": "bench-0001", "slices": ["greeting"],
                               "purpose": "recommendations", "retention_days": 30,
                               "issued_at": "2026-12-03T09:00:00Z"},
                   "slices": {"greeting": {"first_name": "Robin"}}}).encode()


def shop_app(delay: float) -> Starlette:
    """A conforming shop, every answer after ``delay`` seconds."""
    async def handle(request: Request) -> Response:
        await asyncio.sleep(delay)
        path = request.url.path
        if path == "/.well-known/profilekeeper":
            return JSONResponse(DISCOVERY)
        if path.endswith("/profile"):
            held = json.loads(await request.body()) if request.method == "PUT" else {}
            return JSONResponse({"link_id": LINK, "slices": held.get("slices", {}),
                                 "receipt": held.get("receipt"), "stored_at": None,
                                 "expires_at": None})
        return JSONResponse(PAGE)
    return Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "PUT"])])


async def one_request(url: str) -> int:
    async with ShopClient(url, token="bench-token-0001") as shop:
        await shop.discover()
    return 1


async def full_sync(url: str) -> int:
    async with ShopClient(url, token="bench-token-0001") as shop:
        await shop.discover()
        await shop.put_profile(LINK, BODY)
        return len((await shop.suggestions(LINK, known_refs=())).items)


async def timed(work: Callable[[str], Awaitable[int]], urls: list[str], concurrent: bool
                ) -> float:
    started = time.perf_counter()
    if concurrent:
        results = await gather_shops({url: (lambda u=url: work(u)) for url in urls})
        failed = [r for r in results.values() if not isinstance(r, int)]
        if failed:
            raise SystemExit(f"a shop failed: {failed[0]}")
    else:
        for url in urls:
            await work(url)
    return time.perf_counter() - started


def median_of(runs: int, work: Callable[[str], Awaitable[int]], urls: list[str],
              concurrent: bool) -> dict[str, Any]:
    asyncio.run(timed(work, urls, concurrent))  # warm-up: imports, first connections
    times = [asyncio.run(timed(work, urls, concurrent)) for _ in range(runs)]
    return {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4),
            "max_s": round(max(times), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    servers = [RunningServer(shop_app(args.delay)) for _ in range(args.shops)]
    try:
        urls = [server.base_url for server in servers]
        one = median_of(args.runs, one_request, urls, concurrent=True)
        full = median_of(args.runs, full_sync, urls, concurrent=True)
        one_serial = median_of(max(3, args.runs // 3), one_request, urls, concurrent=False)
        full_serial = median_of(max(3, args.runs // 3), full_sync, urls, concurrent=False)
    finally:
        for server in servers:
            server.stop()
    goal = 0.15
    result = {
        "benchmark": f"{args.shops} shops answering after {args.delay * 1000:.0f} ms, synced "
                     "concurrently with gather_shops (fresh ShopClient each, inside the timing)",
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "load_average_before": load},
        "shops": args.shops, "delay_s": args.delay, "runs": args.runs,
        "one_request_each": {"what": "discover()", "floor_s": args.delay, **one,
                             "one_after_another_median_s": one_serial["median_s"],
                             "speedup": round(one_serial["median_s"] / one["median_s"], 1)},
        "full_sync_each": {"what": "discover() + put_profile() + suggestions() (1 page of 50)",
                           "floor_s": round(3 * args.delay, 3), **full,
                           "one_after_another_median_s": full_serial["median_s"],
                           "speedup": round(full_serial["median_s"] / full["median_s"], 1)},
        "goal_s": goal,
        "meets_goal": one["median_s"] <= goal,
    }
    command = "python benchmarks/bench_sync.py"
    write_results("bench_sync", result, [
        summary_row(f"{args.shops} shops at {args.delay * 1000:.0f} ms, one request each, at once",
                    goal, one["median_s"], "s", command),
        summary_row(f"{args.shops} shops at {args.delay * 1000:.0f} ms, a full sync each, at once",
                    None, full["median_s"], "s", command),
    ])
    for label, key, floor in (("one request each", "one_request_each", args.delay),
                              ("full sync each  ", "full_sync_each", 3 * args.delay)):
        figures = result[key]
        print(f"{args.shops} shops, {label}: median {figures['median_s'] * 1000:6.1f} ms "
              f"(min {figures['min_s'] * 1000:.1f}, max {figures['max_s'] * 1000:.1f}; "
              f"floor {floor * 1000:.0f} ms, {figures['median_s'] / floor:.2f}x); one after "
              f"another {figures['one_after_another_median_s'] * 1000:.0f} ms "
              f"({figures['speedup']}x slower)")
    print(f"goal: one request each within {goal * 1000:.0f} ms: "
          f"{'met' if result['meets_goal'] else 'NOT met'}")


if __name__ == "__main__":
    main()
