"""Guarantee: hostile shops never crash the app, never reach the screen raw (#18 §4).

Generated answers (tests/hardening/hostile_answers.py: wrong types, missing and extra members,
huge strings, deep nesting, control/markup/escape/bidi text, bad urls and cursors, error
statuses with odd bodies, wrong content types, invalid UTF-8) are served by one hostile shop on
127.0.0.1, through the real client, the sync service, the suggestion pipeline and the screens'
rendering of shop text (tests/hardening/hostile_run.py), under tracemalloc. Examples run until
``--responses`` generated answers have been served (an example serves 2-12).

    .venv/bin/python benchmarks/guarantee_hostile.py                  # 10,000 answers
    .venv/bin/python benchmarks/guarantee_hostile.py --responses 1000 # a quicker look

Writes benchmarks/results/guarantee_hostile.json: responses, examples, crashes, peak MiB,
failures by reason (each the activity record's action/outcome and the client's words).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _results import summary_row, write_results  # noqa: E402

from tests.hardening.hostile_run import Harness, run_examples  # noqa: E402

PEAK_GOAL_MIB = 48
"""tracemalloc's peak counts the whole process: the client (its 2 MiB cap, a copy or two while it
reads) and the hostile shop beside it on a thread, building answers of up to ~7 MB (streamed)."""
COMMAND = "python benchmarks/guarantee_hostile.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=10_000,
                        help="generated answers to serve, at least (default 10,000)")
    parser.add_argument("--batch", type=int, default=200, help="examples per hypothesis run")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pk-hostile-", dir="/dev/shm"
                                   if os.path.isdir("/dev/shm") else None))  # fmt: skip
    harness = Harness(folder)
    started = time.perf_counter()
    tracemalloc.start()
    try:
        batch = 0
        while harness.tally.responses < options.responses:
            run_examples(harness, options.batch, batch=options.batch, first_seed=batch)
            batch += 1
            print(f"  {harness.tally.examples} examples, {harness.tally.responses} answers, "
                  f"{len(harness.tally.crashes)} crashes", flush=True)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] / 2**20
    finally:
        tracemalloc.stop()
        harness.close()
    tally = harness.tally
    elapsed = time.perf_counter() - started
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "responses": tally.responses, "examples": tally.examples,
        "crashes": len(tally.crashes), "crash_samples": tally.crashes[:20],
        "peak_mib": round(peak, 1), "peak_goal_mib": PEAK_GOAL_MIB,
        "retained_mib_after_run": round(retained, 1),
        "texts_rendered_and_checked": tally.rendered, "elapsed_s": round(elapsed, 1),
        "failures_recorded": sum(tally.failures_by_reason.values()),
        "failures_by_reason": dict(tally.failures_by_reason.most_common()),
    }  # fmt: skip
    for key in ("responses", "examples", "crashes", "peak_mib", "retained_mib_after_run",
                "texts_rendered_and_checked",
                "failures_recorded", "elapsed_s"):
        print(f"{key}: {data[key]}")
    write_results("guarantee_hostile", data, [
        summary_row("hostile shop answers survived (generated, served)", options.responses,
                    tally.responses, "answers", COMMAND),
        summary_row("crashes on hostile answers", 0, len(tally.crashes), "crashes", COMMAND),
        summary_row("peak memory (tracemalloc) on hostile answers", PEAK_GOAL_MIB,
                    round(peak, 1), "MiB", COMMAND),
    ])
    sys.exit(1 if tally.crashes else 0)


if __name__ == "__main__":
    main()
