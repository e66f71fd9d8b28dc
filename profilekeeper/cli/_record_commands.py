"""What the record commands share: building their parsers, and printing lists and damage."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

from profilekeeper.cli._output import printable
from profilekeeper.errors import CorruptedRecord

Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")

SHOP_FAILED = 69
"""The exit status when a shop did not do what was asked (EX_UNAVAILABLE, as the client's
``ShopError``): ``sync`` when any shop failed, ``share revoke`` and ``shop forget`` when the shop
was not told; the log says why."""


def group(sub: Any, common: argparse.ArgumentParser, name: str, summary: str) -> Any:
    """The command ``name``, taking an ACTION (``person add``, ``person list``…)."""
    p = sub.add_parser(name, parents=[common], help=summary)
    return p.add_subparsers(dest=f"{name}_action", metavar="ACTION", required=True)


def action(common: argparse.ArgumentParser, parent: Any, name: str, handler: Handler,
           summary: str) -> argparse.ArgumentParser:  # fmt: skip
    p: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=summary)
    p.set_defaults(handler=handler)
    return p


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for scripts")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    print()


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    rows = [[printable(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for line in [list(headers), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def report_corrupted(corrupted: Sequence[CorruptedRecord]) -> int:
    for error in corrupted:
        print(f"profilekeeper: {error}", file=sys.stderr)
    return CorruptedRecord.exit_code if corrupted else 0


def occasion_date(occasion: Any) -> str:
    from profilekeeper.model import PartialDate

    return str(PartialDate(occasion.month, occasion.day, occasion.year))


def run_network(work: Coroutine[Any, Any, T]) -> T:
    """Run a service's exchange with a shop. A shop that fails raises ``ShopError`` (exit
    status 69, or 76 for an answer that is not the protocol), already recorded."""
    import asyncio

    return asyncio.run(work)
