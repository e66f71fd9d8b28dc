"""What the record commands share: building their parsers, and printing lists and damage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

from profilekeeper.cli._output import (
    local_date,
    output_flags,
    paint_for,
    print_parsable,
    print_table,
)
from profilekeeper.errors import CorruptedRecord, InvalidInput

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


def list_flags(p: argparse.ArgumentParser, columns: Sequence[str]) -> None:
    """``--json``, ``-p/--parsable`` (these columns: the JSON keys, in order), ``--header``,
    ``--color``."""
    output_flags(p, columns)


def print_json(data: Any) -> None:
    """``data`` as JSON, no control or bidi character raw in it (``plain_text.json_dumps``)."""
    from profilekeeper.plain_text import json_dumps  # here: text and -p listings never need it

    print(json_dumps(data, indent=2, default=str))


def check_header(args: argparse.Namespace) -> None:
    if args.header and not args.parsable:
        raise InvalidInput("--header goes with -p/--parsable")


def print_listing(
    args: argparse.Namespace, records: Sequence[dict[str, Any]], columns: Sequence[str],
    headers: Sequence[str], rows: Callable[[], Iterable[Sequence[str]]], empty: str,
) -> None:  # fmt: skip
    """``records`` as ``--json`` or ``--parsable`` asks, else ``rows()`` as a table under
    ``headers`` (or ``empty`` when there is nothing to list)."""
    if args.json:
        print_json(list(records))
    elif args.parsable:
        print_parsable(records, columns, header=args.header)
    elif records:
        print_table(headers, rows(), paint_for(args))
    else:
        print(empty)


def report_corrupted(corrupted: Sequence[CorruptedRecord]) -> int:
    for error in corrupted:
        print(f"profilekeeper: {error}", file=sys.stderr)
    return CorruptedRecord.exit_code if corrupted else 0


def occasion_date(occasion: Any) -> str:
    """ISO, or ``--MM-DD`` without the year: for ``--json`` and ``--parsable``."""
    from profilekeeper.model import PartialDate

    return str(PartialDate(occasion.month, occasion.day, occasion.year))


def local_occasion_date(occasion: Any) -> str:
    """As the user's locale writes the date; ``--MM-DD`` without the year (no locale has a
    format for a day and month alone)."""
    from datetime import date

    if occasion.year is None:
        return occasion_date(occasion)
    return local_date(date(occasion.year, occasion.month, occasion.day))


def run_network(work: Coroutine[Any, Any, T]) -> T:
    """Run a service's exchange with a shop. A shop that fails raises ``ShopError`` (exit
    status 69, or 76 for an answer that is not the protocol), already recorded."""
    import asyncio

    return asyncio.run(work)
