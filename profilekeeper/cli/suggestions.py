"""``suggestions`` and ``feedback``: what the shops suggest, filtered and ranked here by the
shopper's own rules, and verdicts on it."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._output import paint_for, print_parsable, print_table
from profilekeeper.cli._record_commands import check_header, list_flags, print_json

KINDS = ("product", "release", "event", "offer")
VERDICTS = ("like", "not_for_me", "never_creator", "bought", "bought_as_gift", "snooze",
            "dismiss")  # fmt: skip
"""As suggestions/feedback.py names them (a test keeps the two in step)."""
COLUMNS = ("id", "kind", "title", "creators", "shop", "for", "price", "currency", "url",
           "sources", "reason", "hidden_reason", "hidden_by")  # fmt: skip
"""The ``-p`` columns, in order: the ``--json`` keys, with both ``reason`` (shown items) and
``hidden_reason`` (``--hidden``), one empty; ``hidden_by`` is ``rule:ID`` or ``interest:ID``."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("suggestions", parents=[common],
                       help="what shops suggest, filtered and ranked by your own rules")
    p.add_argument("--person", metavar="NAME", help="gift ideas for this person (default: yours)")
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--hidden", action="store_true", help="the hidden ones, and why")
    list_flags(p, COLUMNS)
    p.set_defaults(handler=suggestions_list)
    p = sub.add_parser("feedback", parents=[common], help="your verdict on a suggestion")
    p.add_argument("suggestion", metavar="SUGGESTION", help="its id, as `suggestions` shows it")
    p.add_argument("verdict", metavar="VERDICT", choices=VERDICTS,
                   help=", ".join(VERDICTS))
    p.add_argument("--person", metavar="NAME", help="bought_as_gift: for whom (default: whom "
                   "the idea is for)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="snooze: the last quiet day")
    p.set_defaults(handler=feedback)


def _row(r: Any, shops: dict[str, str], people: dict[str, str], hidden: bool) -> dict[str, Any]:
    s = r.suggestion
    row = {
        "id": s.id, "title": s.title, "creators": list(s.creators), "kind": s.kind,
        "shop": shops.get(s.retailer_id, ""), "for": people.get(r.person_id or ""),
        "price": None if s.price is None else str(s.price), "currency": s.currency or None,
        "url": s.url or None, "sources": [shops.get(i, "") for i in r.sources],
    }  # fmt: skip
    if hidden:
        row["hidden_reason"] = r.hidden_reason
        by = r.hidden_by
        row["hidden_by"] = None if by is None else \
            {"rule" if type(by).__name__ == "Rule" else "interest": by.id}  # fmt: skip
    else:
        row["reason"] = r.reason
    return row


def _parsable(row: dict[str, Any]) -> dict[str, Any]:
    """A ``--json`` row as a ``-p`` record: every column, ``hidden_by`` as ``rule:ID``."""
    by = row.get("hidden_by")
    by = None if by is None else ";".join(f"{k}:{v}" for k, v in by.items())
    return {**{c: row.get(c) for c in COLUMNS}, "hidden_by": by}


def suggestions_list(args: argparse.Namespace) -> int:
    from profilekeeper.cli._unlock import open_unlocked
    from profilekeeper.model import Person, Retailer
    from profilekeeper.services import people
    from profilekeeper.services import suggestions as service
    from profilekeeper.suggestions.context import shop_name

    check_header(args)
    with open_unlocked(args) as vault:
        person_id = people.find_person_id(vault, args.person)
        result = service.read(vault)
        shops = {s.id: shop_name(s) for s in vault.list(Retailer)}  # shop text, made plain
        names = {p.id: p.name for p in vault.list(Person)}
    items = service.select(result.hidden if args.hidden else result.shown,
                           person_id=person_id, kind=args.kind)  # fmt: skip
    rows = [_row(r, shops, names, args.hidden) for r in items]
    if args.json:
        print_json(rows)
    elif args.parsable:
        print_parsable(map(_parsable, rows), COLUMNS, header=args.header)
    elif rows:
        why = "hidden_reason" if args.hidden else "reason"
        print_table(("ID", "KIND", "TITLE", "SHOP", "HIDDEN BECAUSE" if args.hidden else "WHY"),
                    ((r["id"][:8], r["kind"], r["title"], r["shop"], r[why] or "")
                     for r in rows), paint_for(args))  # fmt: skip
    else:
        print("Nothing hidden." if args.hidden else
              "No suggestions yet: connect a shop and sync (`profilekeeper sync`).")
    if not args.hidden and not (args.json or args.parsable):
        hidden = len(service.select(result.hidden, person_id=person_id, kind=args.kind))
        if hidden:
            print(f"Hidden: {hidden} (see them with --hidden).")
    return 0


def feedback(args: argparse.Namespace) -> int:
    from profilekeeper.cli._unlock import open_unlocked
    from profilekeeper.services import people
    from profilekeeper.services import suggestions as service
    from profilekeeper.services.typed import day

    until = day(args.until, None)
    with open_unlocked(args) as vault:
        found = service.find_suggestion(vault, args.suggestion)
        done = service.judge(vault, found.id, args.verdict, until=until,
                             gift_for=people.find_person_id(vault, args.person))  # fmt: skip
        changes = done.changes
        said = [f"Noted: {args.verdict.replace('_', ' ')}."]
        if changes.interests:
            said.append(f"{len(changes.interests)} interest(s) updated.")
        if changes.purchase is not None:
            said.append("Added 1 purchase.")
        if changes.gift is not None:
            said.append("Added 1 gift.")
        if done.shop is not None:
            said.append(service.send_now(vault, done.shop, changes.suggestion))
    print(" ".join(said))
    return 0
