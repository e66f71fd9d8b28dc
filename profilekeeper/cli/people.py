"""``person``: the people the owner buys gifts for."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._record_commands import (
    action,
    check_header,
    group,
    list_flags,
    local_occasion_date,
    occasion_date,
    print_listing,
    report_corrupted,
)
from profilekeeper.cli._unlock import open_unlocked

COLUMNS = ("id", "name", "relationship", "birthday", "anniversary", "budget", "currency")
"""``person list --json`` keys and ``-p`` columns, in order."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "person", "people you buy gifts for")
    p = action(common, g, "add", person_add, "add a person")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--relationship", metavar="R", default="", help="e.g. sister, friend")
    p.add_argument("--birthday", metavar="DATE", help="YYYY-MM-DD, or --MM-DD without the year")
    p.add_argument("--anniversary", metavar="DATE", help="YYYY-MM-DD, or --MM-DD")
    p.add_argument("--budget", metavar="AMOUNT", help="usual gift budget, e.g. 30")
    p.add_argument("--currency", default="", metavar="CODE", help="e.g. EUR")
    p.add_argument("--lead", metavar="DAYS,...",
                   help="remind this many days before their occasions (default: the kind's)")
    p = action(common, g, "lead", person_lead,
               "set how many days before a person's occasions to remind")
    p.add_argument("name", metavar="NAME")
    p.add_argument("days", metavar="DAYS", help="like 21,7,0 (0: on the day), or inherit")
    list_flags(action(common, g, "list", person_list, "list people"), COLUMNS)
    p = action(common, g, "remove", person_remove, "remove a person with their interests and dates")
    p.add_argument("name", metavar="NAME")
    gifts = p.add_mutually_exclusive_group()
    gifts.add_argument(
        "--delete-gifts",
        dest="gifts",
        action="store_const",
        const="delete",
        help="also delete their gift records",
    )
    gifts.add_argument(
        "--keep-gifts",
        dest="gifts",
        action="store_const",
        const="keep",
        help="keep their gift records, no longer tied to a person",
    )


def person_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import people

    # Every value checked before the passphrase is asked for.
    occasions = [people.occasion_from(kind, when)
                 for kind, when in (("birthday", args.birthday), ("anniversary", args.anniversary))
                 if when]  # fmt: skip
    person = people.person_from(args.name, relationship=args.relationship, budget=args.budget,
                                currency=args.currency, lead=args.lead)  # fmt: skip
    with open_unlocked(args) as vault:
        people.add_person(vault, person, occasions)
    print("Added 1 person.")
    return 0


def person_lead(args: argparse.Namespace) -> int:
    from profilekeeper.parsing import parse_lead_days
    from profilekeeper.services import people
    from profilekeeper.services.typed import parsed

    parsed("lead_days", parse_lead_days, args.days)  # checked before the passphrase is asked
    with open_unlocked(args) as vault:
        people.set_person_lead(vault, args.name, args.days)
    print("Changed 1 person.")
    return 0


def person_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Occasion, Person

    check_header(args)
    with open_unlocked(args) as vault:
        people = vault.list(Person)
        occasions = vault.list(Occasion)
    dates = {(o.person_id, o.kind): o for o in occasions}
    people.sort(key=lambda p: p.name.casefold())

    def on(person: Person, kind: str, show: Any = occasion_date) -> str | None:
        occasion = dates.get((person.id, kind))
        return None if occasion is None else str(show(occasion))

    records = [
        {
            "id": p.id,
            "name": p.name,
            "relationship": p.relationship,
            "birthday": on(p, "birthday"),
            "anniversary": on(p, "anniversary"),
            "budget": None if p.budget is None else str(p.budget),
            "currency": p.currency,
        }
        for p in people
    ]
    print_listing(
        args, records, COLUMNS, ("NAME", "RELATIONSHIP", "BIRTHDAY", "ANNIVERSARY"),
        lambda: ((p.name, p.relationship, on(p, "birthday", local_occasion_date) or "",
                  on(p, "anniversary", local_occasion_date) or "") for p in people),
        "No people yet: add one with `profilekeeper person add NAME`.",
    )  # fmt: skip
    return report_corrupted([*people.corrupted, *occasions.corrupted])


def person_remove(args: argparse.Namespace) -> int:
    from profilekeeper.services import people

    with open_unlocked(args) as vault:
        count = people.remove_person(vault, args.name, gifts=args.gifts or "refuse")
    kept = {"keep": "kept", "delete": "deleted"}.get(args.gifts or "", "")
    print("Removed 1 person" + (f"; {count} gift record(s) {kept}." if count else "."))
    return 0
