"""One convention for every results file, so ``table.py`` can put them in one table.

Each benchmark keeps its own figures as it likes and adds a ``summary``: one row per headline
figure, ``{"metric", "goal", "measured", "unit", "ratio", "command"}``, where ``ratio`` is
measured / goal (below 1 beats a time or memory goal; ``None`` when the goal is 0 or not a
number, e.g. "0 crashes").

    from _results import summary_row, write_results   # benchmarks/ is the script's own folder
    write_results("store", figures, [
        summary_row("10,000 gifts written and read, sealed", 0.5, 0.48, "s",
                    "python benchmarks/bench_store.py"),
    ])
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def summary_row(metric: str, goal: float | str | None, measured: float | str, unit: str,
                command: str) -> dict[str, Any]:  # fmt: skip
    """One row of the table; the ratio is worked out here, the same way for everyone."""
    numbers = isinstance(goal, int | float) and isinstance(measured, int | float)
    ratio = round(measured / goal, 3) if numbers and goal else None  # type: ignore[operator]
    return {"metric": metric, "goal": goal, "measured": measured, "unit": unit,
            "ratio": ratio, "command": command}  # fmt: skip


def dig(data: Any, *keys: str) -> Any:
    """``data[key][key]…``, or None where a results file (an older format) lacks one."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def summary_rows(command: str, *rows: tuple[str, Any, Any, str]) -> list[dict[str, Any]]:
    """A ``summary_row`` for each (metric, goal, measured, unit) whose figure was measured:
    ``summarize`` also runs on older results files, which may lack a figure."""
    return [summary_row(metric, goal, measured, unit, command)
            for metric, goal, measured, unit in rows if measured is not None]  # fmt: skip


def write_results(name: str, data: dict[str, Any], summary: list[dict[str, Any]]) -> Path:
    """``results/<name>.json``: ``data`` with its ``summary`` rows, and when it was measured
    (UTC) unless ``data`` says; returns the path."""
    path = RESULTS / f"{name}.json"
    data = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **data}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**data, "summary": summary}, indent=2) + "\n", encoding="utf-8")
    print(f"written to {path}")
    return path
