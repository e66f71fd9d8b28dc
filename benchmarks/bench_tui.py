"""The app's start-up and memory, measured in a real terminal (tmux).

1. Start to first interactive frame: a 1,000-person vault whose key is remembered in the
   keyring; the clock runs from launching ``python -m profilekeeper`` to Home's greeting showing
   in the tmux pane (polled every 10 ms). Goal ≤ 0.8 s. Median of RUNS cold-ish starts. Also
   reported: the first painted frame (the unlock screen, "Opening your vault…", shown before
   the store is imported).
2. Memory: a 10,000-person vault; Home, then the People list with all 10,000 rows; the resident
   set size of the app process read from /proc. Goal ≤ 150 MB.

    .venv/bin/python benchmarks/bench_tui.py        # prints figures, writes results/tui.json
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

RUNS = 7
START_GOAL_S = 0.8
RSS_GOAL_MB = 150


def build_vault(folder: Path, people: int) -> tuple[Path, dict[str, str]]:
    """A vault of ``people`` made-up people, its key remembered in a file keyring."""
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
        "PYTHON_KEYRING_BACKEND": "_file_keyring.FileKeyring",
        "PK_BENCH_KEYRING": str(folder / "keyring.json"),
        "PYTHONPATH": f"{HERE}{os.pathsep}{ROOT}",
        "PATH": os.environ["PATH"],
        "TERM": "xterm-256color",
    }
    os.environ.update(env)
    import keyring

    keyring.set_keyring(keyring.core.load_keyring("_file_keyring.FileKeyring"))
    path = folder / "vault.sqlite3"
    vault = Vault.create(path, "benchmark passphrase")
    with vault.transaction():
        vault.save(replace(vault.profile(), display_name="Bench", opted_in=True))
        for records in synthetic_people(people).values():
            vault.add_all(records)
    keys.remember(vault.vault_id, vault.data_key)
    vault.set_remembered(True)
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


def wait_for(session: str, text: str, timeout: float = 60) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if text in tmux("capture-pane", "-p", "-t", session):
            return time.perf_counter()
        time.sleep(0.01)
    raise RuntimeError(f"{text!r} did not appear")


def rss_mb(session: str) -> tuple[float, float]:
    pid = tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def stop(session: str) -> None:
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def measure_start(env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Seconds to the first painted frame ("Opening your vault…") and to Home with data."""
    painted, home = [], []
    for _ in range(RUNS):
        session, began = start(env)
        try:
            painted.append(wait_for(session, "profilekeeper") - began)
            home.append(wait_for(session, "Welcome back, Bench!") - began)
        finally:
            stop(session)
        time.sleep(0.3)
    return painted, home


def measure_memory(env: dict[str, str]) -> dict[str, float]:
    session, began = start(env)
    try:
        home_at = wait_for(session, "Welcome back, Bench!") - began
        home_rss, _ = rss_mb(session)
        tmux("send-keys", "-t", session, "3")
        wait_for(session, "search people")
        time.sleep(1.0)  # let the 10,000 rows fill in
        list_rss, peak = rss_mb(session)
    finally:
        stop(session)
    return {"home_seconds": round(home_at, 3), "home_rss_mb": round(home_rss, 1),
            "people_list_rss_mb": round(list_rss, 1), "peak_rss_mb": round(peak, 1)}


def python_floor(env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import textual.app, sqlalchemy"], env=env, check=True)
    return time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pk-bench-tui-") as tmp:
        small, large = Path(tmp, "1k"), Path(tmp, "10k")
        small.mkdir()
        large.mkdir()
        _, env_small = build_vault(small, 1_000)
        _, env_large = build_vault(large, 10_000)
        painted, starts = measure_start(env_small)
        floor = python_floor(env_small)
        memory = measure_memory(env_large)
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "start_to_first_frame_1k_people_s": {
            "median": round(statistics.median(starts), 3),
            "min": round(min(starts), 3),
            "max": round(max(starts), 3),
            "runs": RUNS,
            "goal": START_GOAL_S,
        },
        "first_painted_frame_s_median": round(statistics.median(painted), 3),
        "import_textual_and_sqlalchemy_s": round(floor, 3),
        "memory_10k_people": {**memory, "goal_mb": RSS_GOAL_MB},
    }
    print(json.dumps(result, indent=2))
    out = HERE / "results" / "tui.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
