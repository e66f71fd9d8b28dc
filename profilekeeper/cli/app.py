"""``profilekeeper`` with no command: the TUI (placeholder until the app lands)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    pass


def run_app(args: argparse.Namespace) -> int:
    print("profilekeeper: the app is not built yet; see `profilekeeper --help` for commands")
    return 0
