"""benchmarks/results.md: one table of every benchmark's headline figures.

Reads every ``benchmarks/results/*.json``; each file's ``summary`` rows (see _results.py: metric,
goal, measured, unit, ratio, command) become rows of the table. A file without a summary yet is
listed by name with "no summary yet", so a benchmark still to adopt the convention shows too.

    .venv/bin/python benchmarks/table.py        # `make bench` runs it after every benchmark
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TABLE = HERE / "results.md"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def rows(path: Path) -> list[list[str]]:
    """The table rows for one results file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [[path.name, "", f"unreadable ({type(error).__name__})", "", ""]]
    if not isinstance(data, dict):
        data = {}
    when = data.get("when") or data.get("date") or ""
    summary = data.get("summary")
    if not isinstance(summary, list) or not summary:
        return [[f"{path.stem} (`results/{path.name}`)", "", "no summary yet", "", ""]]
    found = []
    for row in summary:
        unit = f" {row.get('unit')}" if row.get("unit") else ""
        goal = row.get("goal")
        found.append([
            _cell(row.get("metric")),
            "—" if goal is None else _cell(goal) + unit,
            _cell(row.get("measured")) + unit + (f" ({_cell(when)[:10]})" if when else ""),
            _cell(row.get("ratio")),
            f"`{_cell(row.get('command'))}`",
        ])  # fmt: skip
    return found


def table(folder: Path = RESULTS) -> str:
    lines = [
        "# Benchmarks and guarantees",
        "",
        "Written by `benchmarks/table.py` from every `benchmarks/results/*.json` (`make bench`",
        "runs every benchmark, then this). Ratio is measured / goal: below 1 beats a time or",
        "memory goal, at or above 1 meets a count to reach; — where the goal is 0 or none.",
        "",
        "| Metric | Goal | Measured (when) | Ratio | Reproduce |",
        "|---|---|---|---|---|",
    ]
    for path in sorted(folder.glob("*.json")):
        lines += ["| " + " | ".join(row) + " |" for row in rows(path)]
    return "\n".join(lines) + "\n"


def main() -> None:
    TABLE.write_text(table(), encoding="utf-8")
    print(f"written to {TABLE}")


if __name__ == "__main__":
    main()
