"""Record commands: ``profile``, ``person``, ``interest``, ``occasion``, ``gift``, ``purchase``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from profilekeeper.cli._output import printable
from profilekeeper.cli._unlock import open_unlocked
from profilekeeper.errors import CorruptedRecord

SENTIMENTS = ("love", "like", "dislike", "never")
GIFT_STATUSES = ("idea", "bought", "given")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    def group(name: str, summary: str) -> Any:
        p = sub.add_parser(name, parents=[common], help=summary)
        return p.add_subparsers(dest=f"{name}_action", metavar="ACTION", required=True)

    def action(parent: Any, name: str, handler: Any, summary: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=summary)
        p.set_defaults(handler=handler)
        return p

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print JSON for scripts")

    g = group("profile", "your own profile: name, city, personalization choice")
    json_flag(action(g, "show", profile_show, "show your profile"))
    p = action(g, "set", profile_set, "change your profile")
    p.add_argument("--name", help="the name shops may greet you by")
    p.add_argument("--city")
    choice = p.add_mutually_exclusive_group()
    choice.add_argument(
        "--opt-in",
        dest="opted_in",
        action="store_true",
        default=None,
        help="allow personalization from the slices you grant",
    )
    choice.add_argument(
        "--opt-out", dest="opted_in", action="store_false", help="shops get at most a greeting"
    )
    p.add_argument(
        "--leap-day",
        choices=("feb28", "mar1"),
        help="where a 29 February birthday falls in other years (default feb28)",
    )

    g = group("person", "people you buy gifts for")
    p = action(g, "add", person_add, "add a person")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--relationship", metavar="R", default="", help="e.g. sister, friend")
    p.add_argument("--birthday", metavar="DATE", help="YYYY-MM-DD, or --MM-DD without the year")
    p.add_argument("--anniversary", metavar="DATE", help="YYYY-MM-DD, or --MM-DD")
    p.add_argument("--budget", metavar="AMOUNT", help="usual gift budget, e.g. 30")
    p.add_argument("--currency", default="", metavar="CODE", help="e.g. EUR")
    json_flag(action(g, "list", person_list, "list people"))
    p = action(g, "remove", person_remove, "remove a person with their interests and dates")
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

    g = group("interest", "your interests and other people's")
    p = action(g, "add", interest_add, "add an interest (or change its sentiment)")
    p.add_argument("category", metavar="CATEGORY", help="e.g. music, films, books, hobbies")
    p.add_argument("name", metavar="NAME", help="e.g. an artist, a genre, an author")
    p.add_argument("--sentiment", choices=SENTIMENTS, default="like")
    p.add_argument("--person", metavar="NAME", help="whose interest (default: yours)")
    p = action(g, "list", interest_list, "list interests")
    p.add_argument("--person", metavar="NAME", help="only this person's (default: everyone's)")
    json_flag(p)
    p = action(g, "remove", interest_remove, "remove an interest")
    p.add_argument("category", metavar="CATEGORY")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--person", metavar="NAME")

    g = group("occasion", "birthdays, anniversaries and other dates")
    p = action(g, "add", occasion_add, "add an occasion to a person")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("kind", metavar="KIND", help="birthday, anniversary, or any word")
    p.add_argument("date", metavar="DATE", help="YYYY-MM-DD, or --MM-DD without the year")
    p.add_argument(
        "--lead",
        metavar="DAYS,...",
        default="14,3",
        help="remind this many days before (default 14,3)",
    )
    p.add_argument("--label", default="", help="a short description")
    p.add_argument("--once", action="store_true", help="not yearly: a single date")
    p = action(g, "list", occasion_list, "list occasions")
    p.add_argument("--person", metavar="NAME")
    json_flag(p)
    p = action(g, "remove", occasion_remove, "remove a person's occasion")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("kind", metavar="KIND")

    g = group("gift", "gift ideas and gifts bought or given")
    p = action(g, "add", gift_add, "record a gift or a gift idea")
    p.add_argument("person", metavar="PERSON")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--status", choices=GIFT_STATUSES, default="idea")
    p.add_argument("--price", metavar="AMOUNT")
    p.add_argument("--currency", default="", metavar="CODE")
    p.add_argument("--occasion", metavar="KIND", help="which of the person's occasions it is for")
    p.add_argument("--retailer", default="")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when it was bought or given")
    p = action(g, "list", gift_list, "list gifts")
    p.add_argument("--person", metavar="NAME")
    json_flag(p)

    g = group("purchase", "your own purchase history")
    p = action(g, "add", purchase_add, "record one of your purchases")
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
    json_flag(action(g, "list", purchase_list, "list your purchases"))


# -- output helpers ------------------------------------------------------------------------


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    print()


def _print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    rows = [[printable(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for line in [list(headers), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def _report_corrupted(corrupted: Sequence[CorruptedRecord]) -> int:
    for error in corrupted:
        print(f"profilekeeper: {error}", file=sys.stderr)
    return CorruptedRecord.exit_code if corrupted else 0


def _occasion_date(occasion: Any) -> str:
    from profilekeeper.model import PartialDate

    return str(PartialDate(occasion.month, occasion.day, occasion.year))


# -- profile -------------------------------------------------------------------------------


def profile_show(args: argparse.Namespace) -> int:
    from profilekeeper.store.codec import codec_for

    with open_unlocked(args) as vault:
        profile = vault.profile()
    if args.json:
        _print_json(codec_for(type(profile)).to_plain(profile))
    else:
        opted = {None: "not chosen yet", True: "opted in", False: "opted out (greeting only)"}
        print(f"Name:     {printable(profile.display_name) or '-'}")
        print(f"City:     {printable(profile.city) or '-'}")
        print(f"Sharing:  {opted[profile.opted_in]}")
        leap = profile.settings.get("leap_day") == "mar1"
        print(f"29 Feb:   {'1 March' if leap else '28 February'} in other years")
    return 0


def profile_set(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    with open_unlocked(args) as vault:
        records.set_profile(vault, name=args.name, city=args.city, opted_in=args.opted_in,
                            leap_day=args.leap_day)  # fmt: skip
    print("Profile saved.")
    return 0


# -- people --------------------------------------------------------------------------------


def person_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    # Every value checked before the passphrase is asked for.
    occasions = [records.occasion_from(kind, when)
                 for kind, when in (("birthday", args.birthday), ("anniversary", args.anniversary))
                 if when]  # fmt: skip
    person = records.person_from(args.name, relationship=args.relationship, budget=args.budget,
                                 currency=args.currency)  # fmt: skip
    with open_unlocked(args) as vault:
        records.add_person(vault, person, occasions)
    print("Added 1 person.")
    return 0


def person_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Occasion, Person

    with open_unlocked(args) as vault:
        people = vault.list(Person)
        occasions = vault.list(Occasion)
    dates: dict[tuple[str | None, str], str] = {
        (o.person_id, o.kind): _occasion_date(o) for o in occasions
    }
    people.sort(key=lambda p: p.name.casefold())
    if args.json:
        _print_json(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "relationship": p.relationship,
                    "birthday": dates.get((p.id, "birthday")),
                    "anniversary": dates.get((p.id, "anniversary")),
                    "budget": None if p.budget is None else str(p.budget),
                    "currency": p.currency,
                }
                for p in people
            ]
        )
    elif people:
        _print_table(
            ("NAME", "RELATIONSHIP", "BIRTHDAY", "ANNIVERSARY"),
            (
                (
                    p.name,
                    p.relationship,
                    dates.get((p.id, "birthday"), ""),
                    dates.get((p.id, "anniversary"), ""),
                )
                for p in people
            ),
        )
    else:
        print("No people yet: add one with `profilekeeper person add NAME`.")
    return _report_corrupted([*people.corrupted, *occasions.corrupted])


def person_remove(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    with open_unlocked(args) as vault:
        count = records.remove_person(vault, args.name, gifts=args.gifts or "refuse")
    kept = {"keep": "kept", "delete": "deleted"}.get(args.gifts or "", "")
    print("Removed 1 person" + (f"; {count} gift record(s) {kept}." if count else "."))
    return 0


# -- interests -----------------------------------------------------------------------------


def interest_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    interest = records.interest_from(args.category, args.name, sentiment=args.sentiment)
    with open_unlocked(args) as vault:
        _, new = records.add_interest(vault, interest, records.person_id(vault, args.person))
    print("Added 1 interest." if new else "Updated 1 interest.")
    return 0


def interest_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Interest, Person
    from profilekeeper.services import records

    with open_unlocked(args) as vault:
        if args.person is not None:
            interests = vault.interests_of(records.person_id(vault, args.person))
        else:
            interests = vault.list(Interest)
        names = {p.id: p.name for p in vault.list(Person)}
    interests.sort(key=lambda i: (names.get(i.person_id or "", ""), i.category, i.name.casefold()))
    if args.json:
        _print_json(
            [
                {
                    "id": i.id,
                    "category": i.category,
                    "name": i.name,
                    "sentiment": str(i.sentiment),
                    "source": str(i.source),
                    "person": names.get(i.person_id) if i.person_id else None,
                }
                for i in interests
            ]
        )
    elif interests:
        _print_table(
            ("WHOSE", "CATEGORY", "NAME", "SENTIMENT"),
            (
                (
                    names.get(i.person_id, "?") if i.person_id else "me",
                    i.category,
                    i.name,
                    str(i.sentiment),
                )
                for i in interests
            ),
        )
    else:
        print("No interests yet: add one with `profilekeeper interest add CATEGORY NAME`.")
    return _report_corrupted(interests.corrupted)


def interest_remove(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    with open_unlocked(args) as vault, vault.transaction():
        records.remove_interest(vault, args.category, args.name,
                                records.person_id(vault, args.person))  # fmt: skip
    print("Removed 1 interest.")
    return 0


# -- occasions -----------------------------------------------------------------------------


def occasion_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    occasion = records.occasion_from(args.kind, args.date, lead=args.lead, label=args.label,
                                     yearly=not args.once)  # fmt: skip
    # One write transaction: a second `occasion add` run meanwhile sees this one's birthday.
    with open_unlocked(args) as vault, vault.transaction():
        records.add_occasion(vault, vault.find_person(args.person).id, occasion)
    print("Added 1 occasion.")
    return 0


def occasion_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Occasion, Person
    from profilekeeper.services import records

    with open_unlocked(args) as vault:
        occasions = (
            vault.list(Occasion)
            if args.person is None
            else vault.list(Occasion, person_id=records.person_id(vault, args.person))
        )
        names = {p.id: p.name for p in vault.list(Person)}
    occasions.sort(key=lambda o: (o.month, o.day))
    if args.json:
        _print_json(
            [
                {
                    "id": o.id,
                    "person": names.get(o.person_id or ""),
                    "kind": o.kind,
                    "date": _occasion_date(o),
                    "label": o.label,
                    "lead_days": o.lead_days,
                    "yearly": o.yearly,
                }
                for o in occasions
            ]
        )
    elif occasions:
        _print_table(
            ("DATE", "PERSON", "KIND", "REMIND (DAYS BEFORE)"),
            (
                (
                    _occasion_date(o),
                    names.get(o.person_id or "", "me"),
                    o.label or o.kind,
                    ",".join(map(str, o.lead_days)),
                )
                for o in occasions
            ),
        )
    else:
        print("No occasions yet: add one with `profilekeeper occasion add PERSON KIND DATE`.")
    return _report_corrupted(occasions.corrupted)


def occasion_remove(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    with open_unlocked(args) as vault, vault.transaction():
        removed = records.remove_occasions(vault, vault.find_person(args.person).id, args.kind)
    print(f"Removed {removed} occasion(s).")
    return 0


# -- gifts and purchases -------------------------------------------------------------------


def gift_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    gift = records.gift_from(args.title, status=args.status, price=args.price,
                             currency=args.currency, retailer=args.retailer, on=args.date)
    with open_unlocked(args) as vault, vault.transaction():
        records.add_gift(vault, gift, vault.find_person(args.person).id, args.occasion)
    print("Added 1 gift.")
    return 0


def gift_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Gift, Person
    from profilekeeper.services import records

    with open_unlocked(args) as vault:
        gifts = (
            vault.list(Gift)
            if args.person is None
            else vault.list(Gift, person_id=records.person_id(vault, args.person))
        )
        names = {p.id: p.name for p in vault.list(Person)}
    gifts.sort(key=lambda g: (names.get(g.person_id or "", ""), g.status, g.title.casefold()))
    if args.json:
        _print_json(
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
        _print_table(
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
    return _report_corrupted(gifts.corrupted)


def purchase_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import records

    purchase = records.purchase_from(args.title, on=args.date, price=args.price,
                                     currency=args.currency, retailer=args.retailer,
                                     category=args.category)  # fmt: skip
    with open_unlocked(args) as vault:
        records.add_purchase(vault, purchase, gift_for=records.person_id(vault, args.gift_for),
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
        _print_json(
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

        _print_table(
            ("DATE", "PURCHASE", "USE"),
            ((p.on.isoformat() if p.on else "", p.title, use(p)) for p in purchases),
        )
    else:
        print("No purchases yet: add one with `profilekeeper purchase add TITLE`.")
    return _report_corrupted(purchases.corrupted)
