"""Throughput and tail latency of the reference retailer: put-profile + get-suggestions.

Starts ``python -m profilekeeper retailer serve`` as a real process (uvicorn, SQLite file) on
127.0.0.1, links a pool of shoppers, then, for each concurrency level, runs a bounded load:
that many clients, each iteration one PUT of a realistic profile and one GET of a
suggestions page, until ITERATIONS are done or SECONDS have passed. Loopback only. Prints
the figures and writes benchmarks/results/retailer.json.

    python benchmarks/bench_retailer.py [--iterations N] [--seconds S] [--concurrency 1,4,16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / "results" / "retailer.json"
SHOPPERS = 200
"""Distinct links, used in turn, so no single token meets the per-token rate limit."""


def profile(n: int) -> dict[str, Any]:
    """A mid-sized profile: interests, a city, a person with a budget, an occasion."""
    slices = {
        "greeting": {"first_name": "Robin"},
        "location.city": {"city": ["Lisbon", "Berlin", "Dublin", "Prague"][n % 4]},
        "interests.music": {"items": [{"name": "jazz", "sentiment": "love"},
                                      {"name": "Velvet Static", "sentiment": "like"},
                                      {"name": "pop", "sentiment": "dislike"}]},
        "interests.books": {"items": [{"name": "crime", "sentiment": "love"},
                                      {"name": "poetry", "sentiment": "never"}]},
        "interests.films": {"items": [{"name": "documentary", "sentiment": "like"}]},
        "people.p1": {"relationship": "niece", "age_band": "6-9",
                      "interests": [{"category": "books", "name": "picture book",
                                     "sentiment": "love"}],
                      "budget": {"amount": "25.00", "currency": "EUR"}},
        "occasions.upcoming": {"items": [{"for": "p1", "kind": "birthday",
                                          "date": "2026-12-20"}]},
    }
    return {"receipt": {"receipt_id": f"bench-{n:08d}", "slices": sorted(slices),
                        "purpose": "recommendations", "retention_days": 30,
                        "issued_at": "2026-11-23T12:00:00Z"},
            "slices": slices}


def start_server(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "profilekeeper", "retailer", "serve", "--port", "0",
         "--db", f"sqlite:///{db}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    url = proc.stderr.readline().rsplit(" ", 1)[-1].strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"server did not start: {url!r}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/.well-known/profilekeeper").status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not answer")


async def make_links(url: str) -> list[tuple[str, dict[str, str]]]:
    """Link SHOPPERS pseudonyms once; every concurrency level reuses them."""
    links = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for n in range(SHOPPERS):
            answer = await client.post("/v1/links", json={
                "pseudonym": f"bench-shopper-{n:05d}",
                "required_terms": {"max_retention_days": 90, "allowed_purposes": [
                    "recommendations", "gift_ideas", "offers"]}})
            answer.raise_for_status()
            body = answer.json()
            links.append((body["link_id"], {"Authorization": f"Bearer {body['token']}"}))
    return links


async def run_load(url: str, links: list[tuple[str, dict[str, str]]], iterations: int,
                   seconds: float, concurrency: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        put_ms: list[float] = []
        get_ms: list[float] = []
        errors: dict[int, int] = {}
        counter = iter(range(iterations))
        stop_at = time.monotonic() + seconds

        async def worker() -> None:
            for n in counter:
                if time.monotonic() > stop_at:
                    return
                link_id, auth = links[n % len(links)]
                for method, path, kwargs, sink in (
                    ("PUT", f"/v1/links/{link_id}/profile", {"json": profile(n)}, put_ms),
                    ("GET", f"/v1/links/{link_id}/suggestions", {"params": {"limit": 50}},
                     get_ms),
                ):
                    started = time.perf_counter()
                    answer = await client.request(method, path, headers=auth, **kwargs)
                    sink.append((time.perf_counter() - started) * 1000)
                    if answer.status_code != 200:
                        errors[answer.status_code] = errors.get(answer.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"elapsed_s": elapsed, "put_ms": put_ms, "get_ms": get_ms, "errors": errors}


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure(url: str, links: list[tuple[str, dict[str, str]]], iterations: int, seconds: float,
            concurrency: int) -> dict[str, Any]:
    raw = asyncio.run(run_load(url, links, iterations, seconds, concurrency))
    requests = len(raw["put_ms"]) + len(raw["get_ms"])
    return {
        "concurrency": concurrency,
        "iterations_done": len(raw["get_ms"]),
        "elapsed_s": round(raw["elapsed_s"], 2),
        "requests_per_second": round(requests / raw["elapsed_s"], 1),
        "pairs_per_second": round(len(raw["get_ms"]) / raw["elapsed_s"], 1),
        "all": summary(raw["put_ms"] + raw["get_ms"]),
        "put_profile": summary(raw["put_ms"]),
        "get_suggestions": summary(raw["get_ms"]),
        "non_200": raw["errors"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=1500,
                        help="put+get pairs per concurrency level, at most")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="time per concurrency level, at most")
    parser.add_argument("--concurrency", default="1,4,16",
                        help="comma-separated numbers of concurrent clients")
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        proc, url = start_server(Path(folder) / "retailer.sqlite3")
        try:
            links = asyncio.run(make_links(url))
            runs = [measure(url, links, args.iterations, args.seconds, level) for level in levels]
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    result = {
        "benchmark": "reference retailer: PUT profile + GET suggestions (limit 50)",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_before": os.getloadavg()[0]},
        "server": "python -m profilekeeper retailer serve: uvicorn, 1 process, SQLite (WAL), "
                  "demo catalog; load generator on the same machine (httpx, asyncio)",
        "shoppers": SHOPPERS,
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for run in runs:
        print(f"concurrency {run['concurrency']:3}: {run['requests_per_second']:7.1f} requests/s "
              f"({run['pairs_per_second']} put+get pairs/s, {run['iterations_done']} pairs "
              f"in {run['elapsed_s']} s)")
        for key in ("put_profile", "get_suggestions", "all"):
            stats = run[key]
            print(f"    {key:16} p50 {stats['p50_ms']:7.2f} ms  p99 {stats['p99_ms']:7.2f} ms"
                  f"  max {stats['max_ms']:7.2f} ms")
        if run["non_200"]:
            print(f"    non-200 answers: {run['non_200']}")
    print(f"written to {RESULTS}")
    return 1 if any(run["non_200"] for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
