"""``gift``: gift ideas, and gifts bought or given."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._record_commands import (
    action,
    group,
    json_flag,
    print_json,
    print_table,
    report_corrupted,
)
from profilekeeper.cli._unlock import open_unlocked

GIFT_STATUSES = ("idea", "bought", "given")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "gift", "gift ideas and gifts bought or given")
    p = action(common, g, "add", gift_add, "record a gift or a gift idea")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--status", choices=GIFT_STATUSES, default="idea")
    p.add_argument("--price", metavar="AMOUNT")
    p.add_argument("--currency", default="", metavar="CODE")
    p.add_argument("--occasion", metavar="KIND", help="which of the person's occasions it is for")
    p.add_argument("--retailer", default="")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when it was bought or given")
    p = action(common, g, "list", gift_list, "list gifts")
    p.add_argument("--person", metavar="NAME")
    json_flag(p)


def gift_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import people, records

    gift = records.gift_from(args.title, status=args.status, price=args.price,
                             currency=args.currency, retailer=args.retailer, on=args.date)
    with open_unlocked(args) as vault, vault.transaction():
        records.add_gift(vault, gift, people.find_person(vault, args.person).id, args.occasion)
    print("Added 1 gift.")
    return 0


def gift_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Gift, Person
    from profilekeeper.services import people

    with open_unlocked(args) as vault:
        gifts = (
            vault.list(Gift)
            if args.person is None
            else vault.list(Gift, person_id=people.find_person_id(vault, args.person))
        )
        names = {p.id: p.name for p in vault.list(Person)}
    gifts.sort(key=lambda g: (names.get(g.person_id or "", ""), g.status, g.title.casefold()))
    if args.json:
        print_json(
            [
                {
                    "id": g.id,
                    "person": names.get(g.person_id or ""),
                    "title": g.title,
                    "status": str(g.status),
                    "price": None if g.price is None else str(g.price),
                    "currency": g.currency,
                    "on": g.on.isoformat() if g.on else None,
                }
                for g in gifts
            ]
        )
    elif gifts:
        print_table(
            ("PERSON", "GIFT", "STATUS", "PRICE"),
            (
                (
                    names.get(g.person_id or "", "-"),
                    g.title,
                    str(g.status),
                    "" if g.price is None else f"{g.price} {g.currency}".strip(),
                )
                for g in gifts
            ),
        )
    else:
        print("No gifts yet: add one with `profilekeeper gift add PERSON TITLE`.")
    return report_corrupted(gifts.corrupted)
