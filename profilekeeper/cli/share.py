"""``share``: what each shop may receive (grant, revoke), the exact bytes it would get
(preview), and the log of every exchange."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._output import printable
from profilekeeper.cli._record_commands import (
    SHOP_FAILED,
    action,
    group,
    json_flag,
    print_json,
    run_network,
)
from profilekeeper.cli._unlock import open_unlocked

SHOP_HELP = "the shop's id or name, as `shop list` shows it"
SLICE_HELP = ("greeting, interests.CATEGORY, location.city, purchases, occasions.upcoming, or "
              "people.NAME for someone you buy for (`shop show SHOP` lists them)")  # fmt: skip


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "share", "what each shop may receive: grant, revoke, preview, log")
    p = action(common, g, "grant", share_grant, "let a shop receive a slice from the next sync")
    p.description = ("Nothing is shared by default. A granted slice goes to the shop at the "
                     "next `profilekeeper sync`; `share preview SHOP` shows the exact bytes. "
                     "Opted out (`profile set --opt-out`), every shop gets at most the greeting.")
    _shop_and_slice(p)
    p.add_argument("--until", metavar="DATE", help="the grant ends after this day (YYYY-MM-DD)")
    p = action(common, g, "revoke", share_revoke, "stop sharing a slice: the shop is told at once")
    p.description = ("Ends the grant and sends the shop the smaller profile at once (the shop "
                     f"deletes what is left out). Exit status {SHOP_FAILED} when the shop could "
                     "not be told: the next sync tries again.")
    _shop_and_slice(p)
    p = action(common, g, "preview", share_preview, "the exact bytes a sync would send a shop")
    p.add_argument("shop", metavar="SHOP", help=SHOP_HELP)
    json_flag(p)
    p = action(common, g, "log", share_log, "every exchange with shops, oldest first")
    p.add_argument("shop", metavar="SHOP", nargs="?", help=SHOP_HELP + " (default: every shop)")
    json_flag(p)


def _shop_and_slice(p: argparse.ArgumentParser) -> None:
    p.add_argument("shop", metavar="SHOP", help=SHOP_HELP)
    p.add_argument("slice", metavar="SLICE", help=SLICE_HELP)
    p.add_argument("--person", metavar="NAME", help="with SLICE people: who")


def share_grant(args: argparse.Namespace) -> int:
    from profilekeeper.services import find_shop, grant_slice, now_utc, parse_until

    now = now_utc()
    until = parse_until(args.until, now)
    with open_unlocked(args) as vault:
        shop = find_shop(vault, args.shop)
        grant_slice(vault, shop, args.slice, person=args.person, until=until, now=now)
    ends = "" if until is None else f" until {args.until}"
    print(f"Granted{ends}. It goes to {printable(shop.name)} at the next `profilekeeper sync`; "
          "`share preview SHOP` shows exactly what.")  # fmt: skip
    return 0


def share_revoke(args: argparse.Namespace) -> int:
    from profilekeeper.model import Outcome
    from profilekeeper.services import find_shop, revoke

    with open_unlocked(args) as vault:
        shop = find_shop(vault, args.shop)
        done = run_network(revoke(vault, shop, args.slice, person=args.person))
    if done.outcome is Outcome.OK:
        print(f"Revoked. {printable(shop.name)} now holds only: "
              f"{', '.join(done.slices) or 'nothing'}.")
        return 0
    print(f"Revoked here, but {printable(shop.name)} could not be told: "
          f"{printable(done.reason)}. It still holds the slice until a sync gets through.")
    return SHOP_FAILED


def share_preview(args: argparse.Namespace) -> int:
    from profilekeeper.services import find_shop, now_utc, preview

    with open_unlocked(args) as vault:
        shop = find_shop(vault, args.shop)
        opted_in = vault.profile().opted_in
        out = preview(vault, shop, now=now_utc())
    body = out.body.decode()
    withheld = [{"slice": w.slice, "reason": w.reason} for w in out.withheld]
    if args.json:
        print_json({"shop": shop.name, "slices": list(out.slices),
                    "retention_days": out.retention_days, "payload": body,
                    "withheld": withheld})  # fmt: skip
        return 0
    print(f"What `profilekeeper sync` would send {printable(shop.name)} now, byte for byte "
          "(its receipt id and time are set when it is sent):")
    print(printable(body))
    if opted_in is not True:
        print("You are not opted in to personalization: every shop gets at most the greeting.")
    for w in withheld:
        print(f"Withheld {printable(w['slice'])}: {printable(w['reason'])}")
    return 0


def share_log(args: argparse.Namespace) -> int:
    from profilekeeper.services import activity_log, expire_receipts, find_shop, now_utc

    with open_unlocked(args) as vault:
        shop_id = None if args.shop is None else find_shop(vault, args.shop).id
        expire_receipts(vault, shop_id, now_utc())
        found = activity_log(vault, shop_id)
    if args.json:
        print_json([{
            "at": r.sent_at, "shop": r.shop_name, "shop_id": r.retailer_id,
            "action": r.action.value, "outcome": r.outcome.value, "reason": r.reason,
            "slices": r.slices, "purpose": r.purpose, "retention_days": r.retention_days,
            "receipt_id": r.receipt_id,
            "receipt_status": None if r.receipt_status is None else r.receipt_status.value,
            "receipt": r.receipt, "payload": r.payload, "response": r.response,
            "echo_matches": r.echo_matches,
        } for r in found])  # fmt: skip
        return 0
    if not found:
        print("Nothing yet: connect a shop with `profilekeeper shop add URL`.")
    for r in found:
        line = f"{r.sent_at:%Y-%m-%d %H:%M}  {r.shop_name}  {r.action.value} {r.outcome.value}"
        if r.reason:
            line += f": {r.reason}"
        if r.receipt_id and r.receipt_status is not None:
            line += f" [receipt {r.receipt_id} {r.receipt_status.value}]"
        if r.echo_matches is False:
            line += " [ECHO DIFFERS]"
        print(printable(line))
    return 0
