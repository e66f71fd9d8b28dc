"""``profilekeeper remind --days 30`` in fresh processes, one source tree against others.

For a change on remind's path, before and after on one busy machine: bench_remind.py's wall
clock follows the load of everything else running, so this interleaves the trees run by run on
one vault (1,000 people, 3,000 occasions, 2,000 gifts; a weak KDF and the passphrase from the
environment, so neither Argon2 nor a keyring is timed) and reports each tree's median wall and
CPU time (user + system, from ``wait4``: steadier than the wall under load) and their ratio to
the first tree's. Each tree gets its own bytecode cache, warmed by a first round not counted.

    git -C /work/main archive main | tar -x -C /tmp/before
    .venv/bin/python benchmarks/bench_remind_ab.py /tmp/before .

Results go to benchmarks/results/remind_ab.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import summary_row, write_results

PASSPHRASE = "benchmark passphrase"


def build_vault(path: Path) -> None:
    from profilekeeper.model import Gift, Occasion, Person
    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.vault import Vault

    rng = random.Random(42)
    people = [Person(name=f"Person {i:04d}") for i in range(1000)]
    occasions = [Occasion(("birthday", "anniversary", "name day")[i % 3], rng.randint(1, 12),
                          rng.randint(1, 28), rng.choice([None, rng.randint(1940, 2020)]),
                          person_id=people[i % 1000].id) for i in range(3000)]  # fmt: skip
    gifts = [Gift(f"Gift idea {i}", person_id=people[i % 1000].id,
                  occasion_id=occasions[i].id if i % 2 else None) for i in range(2000)]  # fmt: skip
    weak = KdfParams(memory_kib=1024, iterations=1, lanes=1)
    with Vault.create(path, PASSPHRASE, kdf=weak) as vault, vault.transaction():
        vault.add_all(people)
        vault.add_all(occasions)
        vault.add_all(gifts)


def run_once(tree: Path, vault: Path, cache: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PROFILEKEEPER_VAULT": str(vault),
           "PROFILEKEEPER_PASSPHRASE": PASSPHRASE, "PYTHONPYCACHEPREFIX": str(cache)}  # fmt: skip
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, "-m", "profilekeeper", "remind", "--days", "30",
            "--today", "2026-05-01"]  # fmt: skip
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                             cwd=tempfile.gettempdir())  # fmt: skip
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"remind failed in {tree}: {errors.decode().strip()}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[Path(__file__).parent.parent],
                        help="source trees; the first is the base (default: this tree alone)")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:  # in a child whose profilekeeper is the base tree's
        build_vault(args.build)
        return
    trees = [t.resolve() for t in args.trees]
    with tempfile.TemporaryDirectory() as work:
        vault = Path(work, "vault.sqlite3")
        # Written by the base tree, the oldest: newer ones read what older ones wrote.
        subprocess.run([sys.executable, __file__, "--build", str(vault), "-"], check=True,
                       env={**os.environ, "PYTHONPATH": str(trees[0])})  # fmt: skip
        caches = [Path(work, f"pycache{i}") for i in range(len(trees))]
        times: list[tuple[list[float], list[float]]] = [([], []) for _ in trees]
        for run in range(args.runs + 1):
            for tree, cache, (walls, cpus) in zip(trees, caches, times, strict=True):
                wall, cpu = run_once(tree, vault, cache)
                if run:  # the first round fills the bytecode caches
                    walls.append(wall)
                    cpus.append(cpu)
    base_wall, base_cpu = (statistics.median(x) for x in times[0])
    rows = []
    for tree, (walls, cpus) in zip(trees, times, strict=True):
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        rows.append({"tree": str(tree), "wall_median_s": round(wall, 4),
                     "cpu_median_s": round(cpu, 4), "wall_ratio": round(wall / base_wall, 3),
                     "cpu_ratio": round(cpu / base_cpu, 3)})  # fmt: skip
        print(f"{str(tree):40} wall {wall * 1000:6.1f} ms ({wall / base_wall:.3f}x)   "
              f"cpu {cpu * 1000:6.1f} ms ({cpu / base_cpu:.3f}x)")
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},  # fmt: skip
        "load_average_1min": round(os.getloadavg()[0], 2),
        "runs": args.runs,
        "trees": rows,
    }
    write_results("remind_ab", result, [
        summary_row(f"remind --days 30 wall median, {row['tree']} (goal: the first tree's)",
                    base_wall, row["wall_median_s"], "s", "python benchmarks/bench_remind_ab.py "
                    + " ".join(str(t) for t in args.trees))
        for row in rows
    ])


if __name__ == "__main__":
    main()
