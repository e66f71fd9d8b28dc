"""``sync [SHOP]``: share with every linked shop at once and fetch their suggestions."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from profilekeeper.cli._output import printable
from profilekeeper.cli._record_commands import SHOP_FAILED, json_flag, print_json, run_network
from profilekeeper.cli._unlock import open_unlocked

if TYPE_CHECKING:
    from profilekeeper.model import Retailer


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sync", parents=[common], help="share with linked shops and fetch their suggestions",
        description="For every linked shop at once (or SHOP): ask again to forget where that "
        "is pending, else send exactly what `share preview` shows, check the shop's copy, and "
        "fetch its suggestions. Every outcome goes to `share log`. Progress per shop on a "
        f"terminal. Exit status 0 when every shop answered, {SHOP_FAILED} when any failed.",
    )
    p.add_argument("shop", metavar="SHOP", nargs="?",
                   help="the shop's id or name, as `shop list` shows it (default: every shop)")
    json_flag(p)
    p.set_defaults(handler=run_sync)


def _progress(shop: Retailer, what: str) -> None:
    print(f"{printable(shop.name)}: {what}…", file=sys.stderr, flush=True)


def run_sync(args: argparse.Namespace) -> int:
    from profilekeeper.services import find_shop, sync_shops

    progress = _progress if sys.stderr is not None and sys.stderr.isatty() else None
    with open_unlocked(args) as vault:
        targets = None if args.shop is None else [find_shop(vault, args.shop)]
        reports = run_network(sync_shops(vault, targets, progress=progress))
    if args.json:
        print_json([{"shop": r.shop.name, "id": r.shop.id, "ok": r.ok,
                     "steps": [{"action": s.action.value, "outcome": s.outcome.value,
                                "reason": s.reason, "echo_matches": s.echo_matches}
                               for s in r.records]} for r in reports])  # fmt: skip
    elif not reports:
        print("No shops to sync: connect one with `profilekeeper shop add URL`.")
    for report in reports if not args.json else []:
        steps = "; ".join(f"{s.action.value} {s.outcome.value}" + (f" ({s.reason})" if s.reason
                          else "") for s in report.records)  # fmt: skip
        print(printable(f"{report.shop.name}: {steps}"))
    return 0 if all(r.ok for r in reports) else SHOP_FAILED
