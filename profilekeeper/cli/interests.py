"""``interest``: the owner's interests and other people's."""

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

SENTIMENTS = ("love", "like", "dislike", "never")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "interest", "your interests and other people's")
    p = action(common, g, "add", interest_add, "add an interest (or change its sentiment)")
    p.add_argument("category", metavar="CATEGORY", help="e.g. music, films, books, hobbies")
    p.add_argument("name", metavar="NAME", help="e.g. an artist, a genre, an author")
    p.add_argument("--sentiment", choices=SENTIMENTS, default="like")
    p.add_argument("--person", metavar="NAME", help="whose interest (default: yours)")
    p = action(common, g, "list", interest_list, "list interests")
    p.add_argument("--person", metavar="NAME", help="only this person's (default: everyone's)")
    json_flag(p)
    p = action(common, g, "remove", interest_remove, "remove an interest")
    p.add_argument("category", metavar="CATEGORY")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--person", metavar="NAME")


def interest_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import people, records

    interest = records.interest_from(args.category, args.name, sentiment=args.sentiment)
    with open_unlocked(args) as vault:
        _, new = records.add_interest(vault, interest, people.find_person_id(vault, args.person))
    print("Added 1 interest." if new else "Updated 1 interest.")
    return 0


def interest_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import Interest, Person
    from profilekeeper.services import people, records

    with open_unlocked(args) as vault:
        if args.person is not None:
            interests = records.interests_of(vault, people.find_person_id(vault, args.person))
        else:
            interests = vault.list(Interest)
        names = {p.id: p.name for p in vault.list(Person)}
    interests.sort(key=lambda i: (names.get(i.person_id or "", ""), i.category, i.name.casefold()))
    if args.json:
        print_json(
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
        print_table(
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
    return report_corrupted(interests.corrupted)


def interest_remove(args: argparse.Namespace) -> int:
    from profilekeeper.services import people, records

    with open_unlocked(args) as vault, vault.transaction():
        removed = records.remove_interest(vault, args.category, args.name,
                                          people.find_person_id(vault, args.person))  # fmt: skip
    print("Removed 1 interest." if removed == 1 else f"Removed {removed} interests.")
    return 0
