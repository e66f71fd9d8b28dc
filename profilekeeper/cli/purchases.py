"""``purchase``: the owner's own purchase history."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._output import print_table
from profilekeeper.cli._record_commands import (
    action,
    group,
    json_flag,
    print_json,
    report_corrupted,
)
from profilekeeper.cli._unlock import open_unlocked


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "purchase", "your own purchase history")
    p = action(common, g, "add", purchase_add, "record one of your purchases")
    p.add_argument("title", metavar="TITLE")
    use = p.add_mutually_exclusive_group()
    use.add_argument("--gift-for", metavar="PERSON", help="it was a gift for this person")
    use.add_argument(
        "--no-personalize", action="store_true", help="don't use it for personalization (a one-off)"
    )
    p.add_argument("--price", metavar="AMOUNT")
    p.add_argument("--currency", default="", metavar="CODE")
    p.add_argument("--retailer", default="")
    p.add_argument("--category", default="")
    p.add_argument("--date", metavar="YYYY-MM-DD")
    json_flag(action(common, g, "list", purchase_list, "list your purchases"))


def purchase_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import people, records

    purchase = records.purchase_from(args.title, on=args.date, price=args.price,
                                     currency=args.currency, retailer=args.retailer,
                                     category=args.category)  # fmt: skip
    with open_unlocked(args) as vault:
        records.add_purchase(vault, purchase, gift_for=people.find_person_id(vault, args.gift_for),
                             personalize=not args.no_personalize)  # fmt: skip
    print("Added 1 purchase.")
    return 0


def purchase_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Person, Purchase

    with open_unlocked(args) as vault:
        purchases = vault.list(Purchase)
        names = {p.id: p.name for p in vault.list(Person)}
    purchases.sort(key=lambda p: (p.on.isoformat() if p.on else "", p.title.casefold()))
    if args.json:
        print_json(
            [
                {
                    "id": p.id,
                    "title": p.title,
                    "on": p.on.isoformat() if p.on else None,
                    "price": None if p.price is None else str(p.price),
                    "currency": p.currency,
                    "retailer": p.retailer,
                    "category": p.category,
                    "gift_for": names.get(p.gift_for) if p.gift_for else None,
                    "personalize": p.personalize,
                }
                for p in purchases
            ]
        )
    elif purchases:

        def use(p: Any) -> str:
            if p.gift_for:
                return f"gift for {names.get(p.gift_for, '(removed)')}"
            return "personalize" if p.personalize else "not for personalization"

        print_table(
            ("DATE", "PURCHASE", "USE"),
            ((p.on.isoformat() if p.on else "", p.title, use(p)) for p in purchases),
        )
    else:
        print("No purchases yet: add one with `profilekeeper purchase add TITLE`.")
    return report_corrupted(purchases.corrupted)
