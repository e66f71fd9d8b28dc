"""``gift``: gift ideas, gifts bought or given, and gifts received (with their thank-yous)."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._output import local_date
from profilekeeper.cli._record_commands import (
    action,
    check_header,
    group,
    list_flags,
    print_listing,
    report_corrupted,
)
from profilekeeper.cli._unlock import open_unlocked

GIFT_STATUSES = ("idea", "bought", "given", "received")
COLUMNS = ("id", "person", "title", "status", "price", "currency", "on", "thanked")
"""``gift list --json`` keys and ``-p`` columns, in order (``thanked``: empty unless received)."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "gift", "gift ideas, gifts bought or given, and gifts received")
    p = action(common, g, "add", gift_add, "record a gift, a gift idea or a gift received")
    p.add_argument("person", metavar="PERSON", help="who it is for (received: who gave it)")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--status", choices=GIFT_STATUSES, default="idea")
    p.add_argument("--price", metavar="AMOUNT")
    p.add_argument("--currency", default="", metavar="CODE")
    p.add_argument("--occasion", metavar="KIND", help="which of the person's occasions it is for")
    p.add_argument("--retailer", default="")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when it was bought, given or received")
    p = action(common, g, "list", gift_list, "list gifts")
    p.add_argument("--person", metavar="NAME")
    p.add_argument("--received", action="store_true", help="only gifts received")
    p.add_argument("--unthanked", action="store_true",
                   help="only gifts received not yet thanked for: the thank-you notes owed")
    list_flags(p, COLUMNS)
    p = action(common, g, "thanked", gift_thanked,
               "mark a gift received thanked for (the thank-you note is done)")
    p.add_argument("person", metavar="PERSON", help="who gave it")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--undo", action="store_true", help="not thanked for after all")


def gift_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import people, records

    gift = records.gift_from(args.title, status=args.status, price=args.price,
                             currency=args.currency, retailer=args.retailer, on=args.date)
    with open_unlocked(args) as vault, vault.transaction():
        records.add_gift(vault, gift, people.find_person(vault, args.person).id, args.occasion)
    print("Added 1 gift." if args.status != "received" else "Added 1 gift received.")
    return 0


def gift_thanked(args: argparse.Namespace) -> int:
    from profilekeeper.services import people, records

    with open_unlocked(args) as vault:
        done = records.thank_for(vault, people.find_person(vault, args.person).id, args.title,
                                 thanked=not args.undo)  # fmt: skip
    print(f"Marked {len(done)} gift(s) " + ("not thanked for." if args.undo else "thanked for."))
    return 0


def _status(gift: Any) -> str:
    if gift.status != "received":
        return str(gift.status)
    return "received, thanked" if gift.thanked else "received, note owed"


def gift_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Gift, GiftStatus, Person
    from profilekeeper.services import people

    check_header(args)
    with open_unlocked(args) as vault:
        listing = (
            vault.list(Gift)
            if args.person is None
            else vault.list(Gift, person_id=people.find_person_id(vault, args.person))
        )
        names = {p.id: p.name for p in vault.list(Person)}
    gifts = list(listing)
    if args.received or args.unthanked:
        gifts = [g for g in gifts if g.status == GiftStatus.RECEIVED
                 and not (args.unthanked and g.thanked)]  # fmt: skip
    gifts.sort(key=lambda g: (names.get(g.person_id or "", ""), g.status, g.title.casefold()))
    records = [
        {
            "id": g.id,
            "person": names.get(g.person_id or ""),
            "title": g.title,
            "status": str(g.status),
            "price": None if g.price is None else str(g.price),
            "currency": g.currency,
            "on": g.on.isoformat() if g.on else None,
            "thanked": g.thanked if g.status == GiftStatus.RECEIVED else None,
        }
        for g in gifts
    ]
    print_listing(
        args, records, COLUMNS, ("PERSON", "GIFT", "STATUS", "PRICE", "DATE"),
        lambda: (
            (
                names.get(g.person_id or "", "-"),
                g.title,
                _status(g),
                "" if g.price is None else f"{g.price} {g.currency}".strip(),
                local_date(g.on) if g.on else "",
            )
            for g in gifts
        ),
        "No thank-you notes owed." if args.unthanked else
        "No gifts received yet." if args.received else
        "No gifts yet: add one with `profilekeeper gift add PERSON TITLE`.",
    )  # fmt: skip
    return report_corrupted(listing.corrupted)
