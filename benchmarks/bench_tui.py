"""The app's start-up and memory, measured in a real terminal (tmux).

1. Start to first interactive frame: a 1,000-person vault whose key is remembered in the
   Secret Service; the clock runs from launching ``python -m profilekeeper`` in a tmux pane
   (polled every 10 ms) to Home showing the greeting and reminders: the first frame, and an
   interactive one (its keys are answered from the read-only store while the full store
   opens). Goal ≤ 0.8 s, median of RUNS cold starts (bytecode compiled once, as after an
   install). Also reported: when the first key is answered ("3" pressed every 20 ms from Home's
   appearance until the 1,000-row People list shows; goal ≤ 0.6 s), when writing works ("a"
   pressed until the add-person form opens: it waits for the full store; goal ≤ 1.0 s), each with
   the CPU time (user + system) the app had used by then, and, once all is loaded, how long "1"
   then "3" take to show the People list again (the list's own cost, start-up aside). On a
   shared machine wall time also counts waiting for a core: the load average is reported.
2. Memory: a 10,000-person vault; Home, then the People list with all 10,000 rows; the resident
   set size of the app process read from /proc. Goal ≤ 150 MB.

Run it where a Secret Service answers (as ``make test`` does), e.g.:

    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; .venv/bin/python benchmarks/bench_tui.py'
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _results import dig, summary_rows, write_results

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("BENCH_RUNS", 7))
START_GOAL_S = 0.8
FIRST_KEY_GOAL_S = 0.6
WRITING_GOAL_S = 1.0
RSS_GOAL_MB = 150
COMMAND = "python benchmarks/bench_tui.py"
REMEMBERED: list[str] = []
"""Vault ids whose keys this run put in the Secret Service (taken out again at the end)."""


def build_vault(folder: Path, people: int) -> tuple[Path, dict[str, str]]:
    """A vault of ``people`` made-up people, its key remembered in the Secret Service."""
    from dataclasses import replace

    from profilekeeper.demo import synthetic_people
    from profilekeeper.store import keys
    from profilekeeper.store.vault import Vault

    env = {
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "PROFILEKEEPER_VAULT": str(folder / "vault.sqlite3"),
        "DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ["PATH"],
        "TERM": "xterm-256color",
        # As after `pip install`: bytecode compiled once (the warm-up run) and reused.
        "PYTHONPYCACHEPREFIX": str(folder.parent / "pycache"),
    }
    path = folder / "vault.sqlite3"
    vault = Vault.create(path, "benchmark passphrase")
    with vault.transaction():
        vault.save(replace(vault.profile(), display_name="Bench", opted_in=True))
        for records in synthetic_people(people).values():
            vault.add_all(records)
    keys.remember(vault.vault_id, vault.data_key)
    vault.set_remembered(True)
    REMEMBERED.append(vault.vault_id)
    vault.close()
    return path, env


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def start(env: dict[str, str]) -> tuple[str, float]:
    session = f"bench-{uuid.uuid4().hex[:8]}"
    exports = " ".join(f"{k}={v!r}" for k, v in env.items())
    began = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24",
         f"env -i {exports} {sys.executable} -m profilekeeper")
    return session, began


def wait_for(session: str, *texts: str, timeout: float = 60) -> float:
    """When any of ``texts`` first shows."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        shown = tmux("capture-pane", "-p", "-t", session)
        if any(text in shown for text in texts):
            return time.perf_counter()
        time.sleep(0.01)
    raise RuntimeError(f"{texts!r} did not appear")


def pane_pid(session: str) -> str:
    """The app's process id (``env`` execs Python in the pane's own process)."""
    return tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()


def cpu_seconds(session: str) -> float:
    """User + system CPU time the app's process has used so far."""
    fields = Path(f"/proc/{pane_pid(session)}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(session: str) -> tuple[float, float]:
    pid = pane_pid(session)
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def settled_rss(session: str, timeout: float = 10) -> tuple[float, float]:
    """The resident set size once it has stopped growing (three readings 0.25 s apart)."""
    deadline, readings = time.perf_counter() + timeout, [rss_mb(session)]
    while time.perf_counter() < deadline and (len(readings) < 3 or readings[-3] != readings[-1]):
        time.sleep(0.25)
        readings.append(rss_mb(session))
    return readings[-1]


def stop(session: str) -> None:
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def press_until(session: str, key: str, *texts: str, timeout: float = 60) -> float:
    """Press ``key`` every 20 ms until all ``texts`` show: when the app first answers it."""
    deadline = time.perf_counter() + timeout
    while not all(t in tmux("capture-pane", "-p", "-t", session) for t in texts):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{key!r} never brought up {texts!r}")
        tmux("send-keys", "-t", session, key)
        time.sleep(0.02)
    return time.perf_counter()


def open_people(session: str) -> float:
    # The header and the rows (a relationship shows only in the list), not the header alone.
    return press_until(session, "3", "Relationship", "  friend  ")


def measure_start(env: dict[str, str]) -> dict[str, list[float]]:
    """Seconds to the first painted frame, to Home with data, to the first key answered (the
    People list, read from the first look's store) and to writing (the add-person form, which
    needs the full store)."""
    times: dict[str, list[float]] = {
        "painted": [], "home": [], "answering": [], "writing": [],
        "home_cpu": [], "answering_cpu": [], "writing_cpu": [], "people_again": [],
    }
    for run in range(RUNS + 1):  # the first compiles the bytecode: not counted
        session, began = start(env)
        try:
            times["painted"].append(wait_for(session, "profilekeeper", "1 Home") - began)
            times["home"].append(wait_for(session, "Hello, Bench.") - began)
            times["home_cpu"].append(cpu_seconds(session))
            times["answering"].append(open_people(session) - began)
            times["answering_cpu"].append(cpu_seconds(session))
            times["writing"].append(press_until(session, "a", "shirt=M") - began)
            times["writing_cpu"].append(cpu_seconds(session))
            tmux("send-keys", "-t", session, "Escape")  # alone: ESC then "1" reads as Alt+1
            time.sleep(0.3)
            press_until(session, "1", "Hello, Bench.")
            time.sleep(0.5)
            again = time.perf_counter()
            times["people_again"].append(open_people(session) - again)
        finally:
            stop(session)
        if run == 0:
            for values in times.values():
                values.clear()
        time.sleep(0.3)
    return times


def measure_memory(env: dict[str, str]) -> dict[str, float]:
    session, began = start(env)
    try:
        home_at = wait_for(session, "Hello, Bench.") - began
        home_rss, _ = rss_mb(session)
        open_people(session)
        list_rss, peak = settled_rss(session)  # the 10,000 rows in: they come a frame at a time
    finally:
        stop(session)
    return {"home_seconds": round(home_at, 3), "home_rss_mb": round(home_rss, 1),
            "people_list_rss_mb": round(list_rss, 1), "peak_rss_mb": round(peak, 1)}


def python_floor(env: dict[str, str], code: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - began


def summary(values: list[float], goal: float | None = None) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "runs": len(values),
    }
    if goal is not None:
        out["goal"] = goal
    return out


def main() -> None:
    from profilekeeper.store import keys

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pk-bench-tui-") as tmp:
        small, large = Path(tmp, "1k"), Path(tmp, "10k")
        small.mkdir()
        large.mkdir()
        try:
            _, env_small = build_vault(small, 1_000)
            _, env_large = build_vault(large, 10_000)
            times = measure_start(env_small)
            floors = {code: round(python_floor(env_small, code), 3)
                      for code in ("import textual.app", "import textual.app, sqlalchemy")}
            memory = measure_memory(env_large)
        finally:
            for vault_id in REMEMBERED:
                keys.forget(vault_id)
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "load_average_1min": {"before": round(load_before, 2),
                              "after": round(os.getloadavg()[0], 2)},  # fmt: skip
        "first_painted_frame_s": summary(times["painted"]),
        "start_to_home_1k_people_s": summary(times["home"], START_GOAL_S),
        "start_to_first_answered_key_s": summary(times["answering"], FIRST_KEY_GOAL_S),
        "start_to_writing_s": summary(times["writing"], WRITING_GOAL_S),
        "cpu_to_home_s": summary(times["home_cpu"]),
        "cpu_to_first_answered_key_s": summary(times["answering_cpu"]),
        "cpu_to_writing_s": summary(times["writing_cpu"]),
        "people_list_again_when_loaded_s": summary(times["people_again"]),
        "python_import_floors_s": floors,
        "memory_10k_people": {**memory, "goal_mb": RSS_GOAL_MB},
    }
    print(json.dumps(result, indent=2))
    for name, key, goal in (
        ("Home shown", "home", START_GOAL_S),
        ("first key answered", "answering", FIRST_KEY_GOAL_S),
        ("writing works", "writing", WRITING_GOAL_S),
    ):
        median = statistics.median(times[key])
        print(f"{name}: median {median:.3f} s (CPU {statistics.median(times[key + '_cpu']):.3f} s),"
              f" goal ≤ {goal} s: {'met' if median <= goal else 'NOT met'}")  # fmt: skip
    peak = memory["peak_rss_mb"]
    print(f"10,000 people: peak RSS {peak} MB, goal ≤ {RSS_GOAL_MB} MB: "
          f"{'met' if peak <= RSS_GOAL_MB else 'NOT met'}")  # fmt: skip
    write_results("tui", result, summarize(result))


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Start-up medians on 1,000 people and the memory of 10,000 (#19 §3)."""
    start = "after start, 1,000 people, key in the keyring: median"
    return summary_rows(
        COMMAND,
        (f"app: Home shown {start}", START_GOAL_S,
         dig(data, "start_to_home_1k_people_s", "median"), "s"),
        (f"app: first key answered {start}", FIRST_KEY_GOAL_S,
         dig(data, "start_to_first_answered_key_s", "median"), "s"),
        (f"app: writing works {start}", WRITING_GOAL_S,
         dig(data, "start_to_writing_s", "median"), "s"),
        ("app with 10,000 people, Home then the People list: peak RSS", RSS_GOAL_MB,
         dig(data, "memory_10k_people", "peak_rss_mb"), "MB"),
    )  # fmt: skip


if __name__ == "__main__":
    main()
