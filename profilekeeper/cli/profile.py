"""``profile``: the owner's own profile (name, city, personalization choice)."""

from __future__ import annotations

import argparse
from typing import Any

from profilekeeper.cli._output import printable
from profilekeeper.cli._record_commands import action, group, json_flag, print_json
from profilekeeper.cli._unlock import open_unlocked


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "profile", "your own profile: name, city, personalization choice")
    json_flag(action(common, g, "show", profile_show, "show your profile"))
    p = action(common, g, "set", profile_set, "change your profile")
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
    p.add_argument("--notify-command", metavar="CMD",
                   help="run CMD for each due reminder (see `remind --exec`; '' removes it)")
    p.add_argument("--lead", action="append", default=[], metavar="KIND=DAYS",
                   help="default lead days for a kind (birthday=21,7,0; default=14,3 for all; "
                   "KIND=inherit removes it); repeatable")


def profile_show(args: argparse.Namespace) -> int:
    from profilekeeper.lead_times import kind_defaults
    from profilekeeper.services import NOTIFY_COMMAND
    from profilekeeper.store.codec import codec_for

    with open_unlocked(args) as vault:
        profile = vault.profile()
    if args.json:
        print_json(codec_for(type(profile)).to_plain(profile))
    else:
        opted = {None: "not chosen yet", True: "opted in", False: "opted out (greeting only)"}
        print(f"Name:     {printable(profile.display_name) or '-'}")
        print(f"City:     {printable(profile.city) or '-'}")
        print(f"Sharing:  {opted[profile.opted_in]}")
        leap = profile.settings.get("leap_day") == "mar1"
        print(f"29 Feb:   {'1 March' if leap else '28 February'} in other years")
        print(f"Notify:   {printable(profile.settings.get(NOTIFY_COMMAND, '')) or '-'}")
        for kind, days in sorted(kind_defaults(profile.settings).items()):
            print(f"Lead:     {'every kind' if kind == '*' else kind}: "
                  f"{','.join(map(str, days)) or 'on the day'}")
    return 0


def profile_set(args: argparse.Namespace) -> int:
    from profilekeeper.services import records, set_kind_lead, set_notify_command
    from profilekeeper.validation import Refused

    leads = [text.partition("=") for text in args.lead]
    if any(not sep for _, sep, _ in leads):
        raise Refused("lead_days", "--lead is written KIND=DAYS, like birthday=21,7,0",
                      alone=True)
    with open_unlocked(args) as vault, vault.transaction():
        records.set_profile(vault, name=args.name, city=args.city, opted_in=args.opted_in,
                            leap_day=args.leap_day)  # fmt: skip
        if args.notify_command is not None:
            set_notify_command(vault, args.notify_command)
        for kind, _, days in leads:
            set_kind_lead(vault, kind, days)
    print("Profile saved.")
    return 0
