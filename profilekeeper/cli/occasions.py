"""``occasion``: birthdays, anniversaries and other dates."""

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

COLUMNS = ("id", "person", "kind", "date", "label", "lead_days", "yearly")
"""``occasion list --json`` keys and ``-p`` columns, in order (``person``: empty for yours)."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "occasion", "birthdays, anniversaries and other dates")
    p = action(common, g, "add", occasion_add, "add an occasion to a person")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("kind", metavar="KIND", help="birthday, anniversary, or any word")
    p.add_argument("date", metavar="DATE", help="YYYY-MM-DD, or --MM-DD without the year")
    p.add_argument(
        "--lead",
        metavar="DAYS,...",
        help="remind this many days before, 0 on the day (default: the person's, the kind's "
        "or 14,3; see docs/reminders.md)",
    )
    p.add_argument("--label", default="", help="a short description")
    p.add_argument("--once", action="store_true", help="not yearly: a single date")
    p = action(common, g, "list", occasion_list, "list occasions")
    p.add_argument("--person", metavar="NAME")
    list_flags(p, COLUMNS)
    p = action(common, g, "lead", occasion_lead, "set how many days before an occasion to remind")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("days", metavar="DAYS", help="like 21,7,0 (0: on the day), or inherit")
    p = action(common, g, "remove", occasion_remove, "remove a person's occasion")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("kind", metavar="KIND")


def occasion_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import people

    occasion = people.occasion_from(args.kind, args.date, lead=args.lead, label=args.label,
                                    yearly=not args.once)  # fmt: skip
    # One write transaction: a second `occasion add` run meanwhile sees this one's birthday.
    with open_unlocked(args) as vault, vault.transaction():
        people.add_occasion(vault, people.find_person(vault, args.person).id, occasion)
    print("Added 1 occasion.")
    return 0


def occasion_list(args: argparse.Namespace) -> int:
    from profilekeeper import services
    from profilekeeper.model import Occasion, Person
    from profilekeeper.services import people

    check_header(args)
    with open_unlocked(args) as vault:
        occasions = (
            vault.list(Occasion)
            if args.person is None
            else vault.list(Occasion, person_id=people.find_person_id(vault, args.person))
        )
        everyone = vault.list(Person)
        leads = services.leads_for(vault, everyone)
        names = {p.id: p.name for p in everyone}
    occasions.sort(key=lambda o: (o.month, o.day))
    records = [
        {
            "id": o.id,
            "person": names.get(o.person_id or ""),
            "kind": o.kind,
            "date": occasion_date(o),
            "label": o.label,
            "lead_days": list(leads.of(o)),
            "yearly": o.yearly,
        }
        for o in occasions
    ]
    print_listing(
        args, records, COLUMNS, ("DATE", "PERSON", "KIND", "REMIND (DAYS BEFORE)"),
        lambda: ((local_occasion_date(o), names.get(o.person_id or "", "me"), o.label or o.kind,
                  ",".join(map(str, leads.of(o)))) for o in occasions),
        "No occasions yet: add one with `profilekeeper occasion add PERSON KIND DATE`.",
    )  # fmt: skip
    return report_corrupted(occasions.corrupted)


def occasion_lead(args: argparse.Namespace) -> int:
    from profilekeeper.parsing import parse_lead_days
    from profilekeeper.services import people
    from profilekeeper.services.typed import parsed

    parsed("lead_days", parse_lead_days, args.days)  # checked before the passphrase is asked
    with open_unlocked(args) as vault:
        changed = people.set_occasion_lead(vault, args.person, args.kind, args.days)
    print(f"Changed {len(changed)} occasion(s).")
    return 0


def occasion_remove(args: argparse.Namespace) -> int:
    from profilekeeper.services import people

    with open_unlocked(args) as vault, vault.transaction():
        removed = people.remove_occasions(vault, people.find_person(vault, args.person).id,
                                          args.kind)  # fmt: skip
    print(f"Removed {removed} occasion(s).")
    return 0
