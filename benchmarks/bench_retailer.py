"""Throughput and tail latency of the reference retailer: put-profile + get-suggestions.

For each setup (SQLite with 1 worker; PostgreSQL with 1 and 2 workers) starts
``python -m profilekeeper retailer serve --workers N`` as a real process on 127.0.0.1 (the
PostgreSQL cluster is a throwaway one, made with the local binaries, fsync off), links a pool
of shoppers, then, for each concurrency level, runs a bounded load: that many clients, each
iteration one PUT of a realistic profile and one GET of a suggestions page, until ITERATIONS
are done or SECONDS have passed. The load generator shares the machine: it speaks keep-alive
HTTP/1.1 over asyncio streams, so that it costs far less than the server it measures (httpx
costs about as much as the server). Prints the figures and the 1 -> 2 worker scaling, and
writes benchmarks/results/retailer.json.

    python benchmarks/bench_retailer.py [--iterations N] [--seconds S] [--concurrency 1,4,16]
        [--setups sqlite:1,postgres:1,postgres:2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from _results import dig, summary_rows, write_results

COMMAND = "python benchmarks/bench_retailer.py"
GOAL_PAIRS_PER_SECOND, GOAL_P99_MS, AT = 300, 100, 16
"""#19 §4: with 2 PostgreSQL workers, at AT concurrent shoppers."""
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


@contextlib.contextmanager
def postgres() -> Iterator[tuple[str, int]]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (as in tests/sync/pg_cluster.py): its URL
    and the postmaster's process id."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise SystemExit("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
    bin_dir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="pk-bench-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "nobody", "--"]
        base.chmod(0o755)
        shutil.chown(base, "nobody", "nogroup")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = base / "data"

    def run(*argv: str) -> None:
        subprocess.run([*as_user, *argv], check=True, capture_output=True, cwd=base,
                       stdin=subprocess.DEVNULL, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync", "--no-instructions")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
            f"-k {base} -h 127.0.0.1 -p {port} -c fsync=off -c full_page_writes=off "
            "-c synchronous_commit=off", "start")
        try:
            pid = int((data / "postmaster.pid").read_text().split()[0])
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", pid
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def start_server(db_url: str, workers: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "profilekeeper", "retailer", "serve", "--port", "0",
         "--db", db_url, "--workers", str(workers)],
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


async def make_links(url: str) -> list[tuple[str, str]]:
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
            links.append((body["link_id"], body["token"]))
    return links


class Connection:
    """One keep-alive HTTP/1.1 connection: a request out, the status back, the body read."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def request(self, method: str, path: str, token: str, body: bytes = b"") -> int:
        head = (f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}"
                f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        answer = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in answer.lower().split(b"\r\n"):
            if line.startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return int(answer[9:12])

    def close(self) -> None:
        self.writer.close()


async def run_load(url: str, links: list[tuple[str, str]], iterations: int,
                   seconds: float, concurrency: int) -> dict[str, Any]:
    put_ms: list[float] = []
    get_ms: list[float] = []
    errors: dict[int, int] = {}
    counter = iter(range(iterations))
    bodies = [json.dumps(profile(n)).encode() for n in range(iterations)]  # a receipt each
    stop_at = time.monotonic() + seconds

    async def worker() -> None:
        connection = await Connection.open(url)
        try:
            for n in counter:
                if time.monotonic() > stop_at:
                    return
                link_id, token = links[n % len(links)]
                for method, path, body, sink in (
                    ("PUT", f"/v1/links/{link_id}/profile", bodies[n], put_ms),
                    ("GET", f"/v1/links/{link_id}/suggestions?limit=50", b"", get_ms),
                ):
                    started = time.perf_counter()
                    status = await connection.request(method, path, token, body)
                    sink.append((time.perf_counter() - started) * 1000)
                    if status != 200:
                        errors[status] = errors.get(status, 0) + 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"elapsed_s": elapsed, "put_ms": put_ms, "get_ms": get_ms, "errors": errors}


def cpu_seconds(root: int | None) -> float:
    """CPU time (user + system) of process ``root`` and everything under it, now alive."""
    if root is None:
        return 0.0
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure(url: str, links: list[tuple[str, str]], iterations: int, seconds: float,
            concurrency: int, server: int, database: int | None) -> dict[str, Any]:
    load = round(os.getloadavg()[0], 2)  # the machine is shared: say how busy it was
    before = (cpu_seconds(server), cpu_seconds(database), time.process_time())
    raw = asyncio.run(run_load(url, links, iterations, seconds, concurrency))
    after = (cpu_seconds(server), cpu_seconds(database), time.process_time())
    requests = len(raw["put_ms"]) + len(raw["get_ms"])
    pairs = max(1, len(raw["get_ms"]))
    cpu = {name: round((later - earlier) / pairs * 1000, 3)
           for name, earlier, later in zip(("server", "postgres", "load_generator"), before,
                                           after, strict=True)}
    total = sum(cpu.values())
    return {
        "load_average_before": load,
        "cpu_ms_per_pair": cpu,
        # What the machine's cores could do if they did nothing else: the figure that shows
        # progress when other work shares the machine (the pairs/s figure then does not).
        "cpu_bound_pairs_per_second": round((os.cpu_count() or 1) * 1000 / total, 1)
        if total else None,
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


def run_setup(db_url: str, database: int | None, workers: int, levels: list[int],
              iterations: int, seconds: float) -> list[dict[str, Any]]:
    proc, url = start_server(db_url, workers)
    try:
        links = asyncio.run(make_links(url))
        return [measure(url, links, iterations, seconds, level, proc.pid, database)
                for level in levels]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=6000,
                        help="put+get pairs per concurrency level, at most")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="time per concurrency level, at most")
    parser.add_argument("--concurrency", default="1,4,16",
                        help="comma-separated numbers of concurrent clients")
    parser.add_argument("--setups", default="sqlite:1,postgres:1,postgres:2",
                        help="comma-separated database:workers")
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]
    setups = [(name, int(workers)) for name, workers in
              (setup.split(":") for setup in args.setups.split(","))]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        for database, workers in setups:
            postmaster = None
            if database == "sqlite":
                db_url = f"sqlite:///{Path(folder) / f'retailer-{len(runs)}.sqlite3'}"
            else:
                # A fresh cluster per setup, so no setup starts on another's rows.
                db_url, postmaster = stack.enter_context(postgres())
            for run in run_setup(db_url, postmaster, workers, levels, args.iterations,
                                 args.seconds):
                runs.append({"database": database, "workers": workers, **run})
    result = {
        "benchmark": "reference retailer: PUT profile + GET suggestions (limit 50)",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "server": "python -m profilekeeper retailer serve --workers N: uvicorn, demo catalog; "
                  "SQLite (WAL) or a local PostgreSQL (fsync off); load generator on the same "
                  "machine (keep-alive HTTP/1.1 over asyncio streams)",
        "shoppers": SHOPPERS,
        "runs": runs,
        "scaling_1_to_2_workers": scaling(runs),
    }
    for run in runs:
        print(f"{run['database']:8} {run['workers']} worker(s), concurrency "
              f"{run['concurrency']:3}: {run['pairs_per_second']:7.1f} put+get pairs/s "
              f"({run['iterations_done']} pairs in {run['elapsed_s']} s, load average "
              f"{run['load_average_before']})")
        print("    CPU ms per pair: " + ", ".join(
            f"{name} {ms}" for name, ms in run["cpu_ms_per_pair"].items())
            + f" (all {os.cpu_count()} cores at that: {run['cpu_bound_pairs_per_second']} pairs/s)")
        for key in ("put_profile", "get_suggestions", "all"):
            stats = run[key]
            print(f"    {key:16} p50 {stats['p50_ms']:7.2f} ms  p99 {stats['p99_ms']:7.2f} ms"
                  f"  max {stats['max_ms']:7.2f} ms")
        if run["non_200"]:
            print(f"    non-200 answers: {run['non_200']}")
    for concurrency, ratio in result["scaling_1_to_2_workers"].items():
        print(f"PostgreSQL, 1 -> 2 workers at concurrency {concurrency}: {ratio}x pairs/s")
    write_results("retailer", result, summarize(result))
    return 1 if any(run["non_200"] for run in runs) else 0


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """PostgreSQL at AT shoppers: 2 workers against the goals, 1 worker and the scaling."""
    runs = data.get("runs") if isinstance(data.get("runs"), list) else []
    postgres = {(r.get("workers"), r.get("concurrency")): r for r in runs
                if isinstance(r, dict) and r.get("database") == "postgres"}  # fmt: skip
    one, two = postgres.get((1, AT)), postgres.get((2, AT))
    at = f"{AT} concurrent shoppers, PUT profile + GET suggestions"
    return summary_rows(
        COMMAND,
        (f"retailer, PostgreSQL, 2 workers, {at}: pairs/s", GOAL_PAIRS_PER_SECOND,
         dig(two, "pairs_per_second"), "pairs/s"),
        (f"retailer, PostgreSQL, 2 workers, {at}: p99", GOAL_P99_MS,
         dig(two, "all", "p99_ms"), "ms"),
        (f"retailer, PostgreSQL, 1 worker, {at}: pairs/s", None,
         dig(one, "pairs_per_second"), "pairs/s"),
        (f"retailer, PostgreSQL, 1 -> 2 workers at {AT} shoppers: pairs/s scaling", None,
         dig(data, "scaling_1_to_2_workers", str(AT)), "x"),
    )  # fmt: skip


def scaling(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Pairs/s with 2 PostgreSQL workers over 1, per concurrency level."""
    by = {(r["workers"], r["concurrency"]): r["pairs_per_second"]
          for r in runs if r["database"] == "postgres"}
    return {str(c): round(by[(2, c)] / by[(1, c)], 2)
            for (w, c) in by if w == 1 and (2, c) in by and by[(1, c)]}


if __name__ == "__main__":
    raise SystemExit(main())
