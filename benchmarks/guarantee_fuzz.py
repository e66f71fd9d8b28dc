"""Guarantee: schemathesis over the reference server's OpenAPI finds nothing (#18 §5).

Runs tests/sync/test_fuzz.py in this process with ``--examples`` per operation (CI runs 30):
no input causes a 5xx or breaks the document, and every data route checks the token before
the path, query or body. Counts the cases run and the failures.

    .venv/bin/python benchmarks/guarantee_fuzz.py                 # 100 examples per operation
    .venv/bin/python benchmarks/guarantee_fuzz.py --examples 1000

Writes benchmarks/results/guarantee_fuzz.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from _results import summary_row, write_results  # noqa: E402

COMMAND = "python benchmarks/guarantee_fuzz.py"


class _Failures:
    """A pytest plugin that keeps the id of every test that failed."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed.append(report.nodeid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100,
                        help="schemathesis examples per operation (default 100; CI runs 30)")
    options = parser.parse_args()
    os.environ["PROFILEKEEPER_FUZZ_EXAMPLES"] = str(options.examples)
    os.chdir(ROOT)
    failures = _Failures()
    started = time.perf_counter()
    code = pytest.main(["-q", "-p", "no:cacheprovider", "tests/sync/test_fuzz.py"],
                       plugins=[failures])
    elapsed = time.perf_counter() - started
    # pytest names the module after its package root (tests/ has no __init__.py).
    module = next(m for name, m in sys.modules.items() if name.endswith("sync.test_fuzz"))
    cases = dict(module.CASES)
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "examples_per_operation": options.examples,
        "cases_run": sum(cases.values()), "cases_by_test": cases,
        "failures": len(failures.failed), "failed": failures.failed[:50],
        "pytest_exit_code": int(code), "elapsed_s": round(elapsed, 1),
    }  # fmt: skip
    for key in ("cases_run", "cases_by_test", "failures", "elapsed_s"):
        print(f"{key}: {data[key]}")
    write_results("guarantee_fuzz", data, [
        summary_row("schemathesis cases against the reference server", None,
                    data["cases_run"], "cases", COMMAND),
        summary_row("schemathesis failures (5xx, schema, auth after input)", 0,
                    len(failures.failed), "failures", COMMAND),
    ])
    sys.exit(int(code))


if __name__ == "__main__":
    main()
