"""``rule``: the shopper's own rules over suggestions (hide, boost, bury)."""

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

ACTIONS = ("hide", "boost", "bury")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "rule", "your rules over suggestions: hide, boost, bury")
    p = action(common, g, "add", rule_add, "add a rule (the same one again updates it)")
    p.add_argument("rule_action", metavar="ACTION", choices=ACTIONS, help=", ".join(ACTIONS))
    p.add_argument("match", metavar="FIELD=VALUE", nargs="+",
                   help="all must hold; FIELD is creator, category, tag, title, shop, kind or "
                        "price (price=<30, price=>=100)")
    p.add_argument("--person", metavar="NAME", help="only gift ideas for this person")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="the rule's last day")
    p.add_argument("--weight", metavar="N", help="how strongly to boost or bury (default 1)")
    p.add_argument("--note", default="", metavar="TEXT")
    json_flag(action(common, g, "list", rule_list, "list your rules"))
    p = action(common, g, "remove", rule_remove, "remove a rule")
    p.add_argument("rule", metavar="RULE", help="its id, as `rule list` shows it")


def rule_add(args: argparse.Namespace) -> int:
    from profilekeeper.cli._unlock import open_unlocked
    from profilekeeper.services import people, rules

    rule = rules.rule_from(args.rule_action, args.match, weight=args.weight, until=args.until,
                           note=args.note)  # fmt: skip
    with open_unlocked(args) as vault:
        saved, new = rules.add_rule(vault, rule, people.find_person_id(vault, args.person))
    print(f"{'Added' if new else 'Updated'} rule {saved.id[:8]}.")
    return 0


def rule_list(args: argparse.Namespace) -> int:
    from profilekeeper.cli._unlock import open_unlocked
    from profilekeeper.model import Person
    from profilekeeper.services import rules
    from profilekeeper.suggestions.rules import describe

    with open_unlocked(args) as vault:
        found = rules.rules(vault)
        names = {p.id: p.name for p in vault.list(Person)}
    corrupted = getattr(found, "corrupted", [])
    if args.json:
        print_json([{
            "id": r.id, "action": str(r.action), "match": r.match, "weight": r.weight,
            "person": names.get(r.person_id) if r.person_id else None,
            "until": r.until.isoformat() if r.until else None, "note": r.note,
        } for r in found])  # fmt: skip
    elif found:
        print_table(("ID", "ACTION", "WHERE", "FOR", "UNTIL"), (
            (r.id[:8], str(r.action), describe(r),
             names.get(r.person_id, "?") if r.person_id else "everyone",
             r.until.isoformat() if r.until else "")
            for r in found))  # fmt: skip
    else:
        print('No rules yet: add one with `profilekeeper rule add hide creator="NAME"`.')
    return report_corrupted(corrupted)


def rule_remove(args: argparse.Namespace) -> int:
    from profilekeeper.cli._unlock import open_unlocked
    from profilekeeper.services import rules

    with open_unlocked(args) as vault:
        rules.remove_rule(vault, args.rule)
    print("Removed 1 rule.")
    return 0
