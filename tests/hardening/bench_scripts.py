"""The guarantee scripts of benchmarks/, loaded as modules for the tests that run them small."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def benchmark_script(name: str) -> ModuleType:
    """``benchmarks/NAME.py`` as a module (benchmarks/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).parents[2] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it is being made
    spec.loader.exec_module(module)
    return module
