"""Cold start of the everyday commands on a 1,000-person vault, unlocked from the keyring.

Builds a vault with 1,000 people, 3,000 occasions and 2,000 gifts, remembers its key in the
Secret Service, then times fresh processes of ``person list``, ``gift list``, ``occasion list``,
``person add`` and ``gift add`` beside the floor any encrypted-vault command pays: a Python that
imports sqlite3 and AES-GCM and reads the key from the Secret Service as ``remind`` does
(``store.fast_keyring``). Runs are interleaved so every command sees the same machine load; wall
and CPU time (user + system of the child) are both reported, with the load average, because on
a shared machine wall time also counts waiting for a core. Lists the costliest imports of each
command (``-X importtime``). Goal: each command ≤ 0.2 s (issue #19 §2).

Run it where a Secret Service answers, e.g.:

    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; .venv/bin/python benchmarks/bench_cli.py'

Results go to benchmarks/results/cli.json.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import _cold
from _cold import AEAD_FLOOR, remembered_vault, top_imports
from _results import dig, summary_rows, write_results

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

GOAL_SECONDS = 0.2
COMMAND = "python benchmarks/bench_cli.py"
PEOPLE, OCCASIONS, GIFTS = 1000, 3000, 2000
_RUN = itertools.count()


def build_vault(path: Path) -> tuple[str, bytes]:
    from profilekeeper.model import Gift, Occasion, Person
    from profilekeeper.store.vault import Vault

    rng = random.Random(42)
    people = [Person(name=f"Person {i:04d}", relationship=rng.choice(["friend", "aunt", ""]))
              for i in range(PEOPLE)]  # fmt: skip
    occasions = []
    for i in range(OCCASIONS):
        kind = ("birthday", "anniversary", "name day")[i % 3]
        year = rng.choice([None, rng.randint(1940, 2020)])
        occasions.append(Occasion(kind, rng.randint(1, 12), rng.randint(1, 28), year,
                                  person_id=people[i % PEOPLE].id))  # fmt: skip
    gifts = [Gift(f"Gift idea {i}", person_id=people[i % PEOPLE].id,
                  occasion_id=occasions[i].id if i % 2 else None)
             for i in range(GIFTS)]  # fmt: skip
    with Vault.create(path, "benchmark passphrase") as vault:
        with vault.transaction():
            vault.add_all(people)
            vault.add_all(occasions)
            vault.add_all(gifts)
        vault.checkpoint()
        return vault.vault_id, vault.data_key


def _fresh(cmd: list[str]) -> list[str]:
    """``cmd`` with ``{n}`` made a new number: each ``person add`` adds a new name."""
    return [arg.format(n=next(_RUN)) if "{n}" in arg else arg for arg in cmd]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time of one fresh process (``remind``'s 1 is "something is due")."""
    return _cold.timed(_fresh(cmd), env, ok=(0, 1) if "remind" in cmd else (0,))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()

    with remembered_vault(build_vault, prefix="pk-bench-cli-") as cold:
        vault_id, env = cold.vault_id, cold.env
        env["PYTHONPATH"] = str(HERE.parent)
        pk = [str(cold.profilekeeper)]
        commands = {
            "person list": [*pk, "person", "list"],
            "gift list": [*pk, "gift", "list"],
            "occasion list": [*pk, "occasion", "list"],
            "person add": [*pk, "person", "add", "Bench Person {n}", "--birthday", "--03-15"],
            "gift add": [*pk, "gift", "add", "Person 0007", "A book"],
        }
        floors = {
            "sqlite3 + AES-GCM": [sys.executable, "-c", AEAD_FLOOR],
            "sqlite3 + AES-GCM + key from the keyring": [
                sys.executable, "-c", f"{AEAD_FLOOR}; from profilekeeper.store.fast_keyring "
                f"import recall; assert recall({vault_id!r})",
            ],
            "remind --days 30": [*pk, "remind", "--days", "30"],
        }  # fmt: skip
        every = {**commands, **floors}
        for _ in range(2):  # compile the bytecode, warm the page cache
            for cmd in every.values():
                timed(cmd, env)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in every}
        for _ in range(args.runs):
            for name, cmd in every.items():
                runs[name].append(timed(cmd, env))
        imports = {name: top_imports(_fresh(cmd), env, 10) for name, cmd in commands.items()}

    floor_name = "sqlite3 + AES-GCM + key from the keyring"
    wall = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
    cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
    load = os.getloadavg()[0]
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},  # fmt: skip
        "vault": {"people": PEOPLE, "occasions": OCCASIONS, "gifts": GIFTS},
        "runs": args.runs,
        "bytecode": "cached, as after pip install (PYTHONPYCACHEPREFIX in a temp dir)",
        "load_average_1min": round(load, 2),
        "goal_s": GOAL_SECONDS,
        "floor": floor_name,
        "commands": {
            name: {
                "wall_median_s": round(wall[name], 4),
                "wall_min_s": round(min(w for w, _ in runs[name]), 4),
                "cpu_median_s": round(cpu[name], 4),
                "ratio_to_floor": round(wall[name] / wall[floor_name], 2),
                "cpu_ratio_to_floor": round(cpu[name] / cpu[floor_name], 2),
                "meets_goal": wall[name] <= GOAL_SECONDS,
            }
            for name in commands
        },
        "floors": {name: {"wall_median_s": round(wall[name], 4),
                          "cpu_median_s": round(cpu[name], 4)} for name in floors},  # fmt: skip
        "top_imports_ms": imports,
    }
    print(f"{args.runs} runs each, load average {load:.2f}; goal ≤ {GOAL_SECONDS * 1000:.0f} ms")
    for name in every:
        ratio = (f"{wall[name] / wall[floor_name]:5.2f}x floor "
                 f"(cpu {cpu[name] / cpu[floor_name]:4.2f}x)")  # fmt: skip
        verdict = ("met" if wall[name] <= GOAL_SECONDS else "NOT met") if name in commands else ""
        print(f"  {name:42s} wall {wall[name] * 1000:5.0f} ms  cpu {cpu[name] * 1000:5.0f} ms"
              f"  {ratio}  {verdict}")  # fmt: skip
    for name, rows in imports.items():
        top = ", ".join(f"{r['module']} {r['cumulative_ms']:.0f}" for r in rows[:5])
        print(f"  {name} imports (ms): {top}")
    write_results("cli", result, summarize(result))
    return 0


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A row per everyday command (goal ≤ 0.2 s, #19 §2), then the floor they are held to."""
    vault = "1,000 people, key in the keyring"
    commands = dig(data, "commands") or {}
    floor = dig(data, "floor")
    return summary_rows(
        COMMAND,
        *((f"`{name}` cold ({vault}): wall median", GOAL_SECONDS, dig(figures, "wall_median_s"),
           "s") for name, figures in commands.items()),
        (f"floor, {floor} (cold): wall median", None,
         dig(data, "floors", floor, "wall_median_s") if floor else None, "s"),
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
