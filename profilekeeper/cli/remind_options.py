"""``remind``'s range, lead and hook options: ``[START [END|DELTA]]``, ``--lead N``, ``--exec``,
``--no-exec`` and ``--install-timer [--yes]`` (docs/reminders.md).

Kept apart from cli/reminders.py, which registers ``remind`` and prints it; this module adds
the options and runs what they ask, on the same fast path (standard library and the plain
modules only, the hook and timer modules imported only when used).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from profilekeeper.cli import _unlock
from profilekeeper.errors import InvalidInput

if TYPE_CHECKING:
    from profilekeeper.reminders import Due
    from profilekeeper.store.readonly import ReadOnlyVault
    from profilekeeper.suggestions.releases import Coming

NOTIFY_COMMAND = "notify.command"
"""The setting (services.settings.NOTIFY_COMMAND; not imported: the services package is heavy)."""


def add_arguments(remind: argparse.ArgumentParser) -> None:
    remind.add_argument(
        "start", nargs="?", metavar="START",
        help="judge from this day: today (default), tomorrow, a weekday, YYYY-MM-DD, "
        "week or month (to the end of this week or month)",
    )  # fmt: skip
    remind.add_argument(
        "end", nargs="?", metavar="END|DELTA",
        help="the last day looked at (written like START), or how far past START: "
        "30d, 2w, week, month (default: --days)",
    )  # fmt: skip
    remind.add_argument(
        "--lead", type=int, metavar="N",
        help="remind N days before every occasion, for this run (like remind's -tN)",
    )  # fmt: skip
    hooks = remind.add_mutually_exclusive_group()
    hooks.add_argument(
        "--exec", metavar="CMD", dest="exec_command",
        help="run CMD for each due item, once per lead point (%%s: the message, quoted; "
        "fields in PROFILEKEEPER_* variables), and once for a release when it comes out and "
        "for an event 7 days before and on the day (PROFILEKEEPER_KIND: release or event); "
        "a point the timer missed fires on the next run while the item is still listed, and "
        "none fires twice (kept, sealed, in the vault); default: the notify.command setting",
    )  # fmt: skip
    hooks.add_argument("--no-exec", action="store_true",
                       help="run no hook, not even the notify.command setting")
    remind.add_argument(
        "--install-timer", action="store_true",
        help="print a systemd user timer and service (and a cron line) for a daily run",
    )  # fmt: skip
    remind.add_argument("--yes", action="store_true",
                        help="with --install-timer: write the units under ~/.config/systemd/user")


def window(args: argparse.Namespace, today: date) -> tuple[date, int]:
    """The first day and how many days past it ``remind`` looks at; InvalidInput if bad."""
    from profilekeeper.remind_range import window as parse

    if args.yes:
        raise InvalidInput("--yes goes with --install-timer")
    start, days = parse(args.start, args.end, today, args.days)
    if args.lead is not None and not 0 <= args.lead <= 366:
        raise InvalidInput("--lead is a number of days from 0 to 366")
    if args.exec_command is not None and start != today:
        raise InvalidInput("--exec runs for what is due today only: leave out START")
    try:  # a next occurrence may lie a year past the window, a lead time a year before
        start - timedelta(days=366), start + timedelta(days=days + 366)
    except OverflowError:
        raise InvalidInput("that range reaches beyond the calendar (years 1 to 9999)") from None
    return start, days


def hook_command(args: argparse.Namespace, settings: dict[str, Any]) -> str | None:
    if args.no_exec:
        return None
    if args.exec_command is not None:
        return str(args.exec_command)
    configured = settings.get(NOTIFY_COMMAND)
    return configured if isinstance(configured, str) and configured.strip() else None


def run_hooks(command: str, items: list[Due], coming: list[Coming], vault: ReadOnlyVault,
              settings: dict[str, Any], today: date, *,
              to_stderr: bool = False) -> None:  # fmt: skip
    """Run the hook for the occasions with a lead point to fire, then for the releases and
    events with one (cli/remind_coming.py), and record the ones that ran, all in one write."""
    from profilekeeper import remind_hooks
    from profilekeeper.read_access import record_notified

    stdout = 2 if to_stderr else None
    fired: list[remind_hooks.Fired] = []
    if any(remind_hooks.pending(i) for i in items):  # else the vault stays untouched
        fired = remind_hooks.run(command, items, _unlock.warn, stdout=stdout)
    marks, since = [], today
    if coming:
        from profilekeeper.cli import remind_coming

        marks = remind_coming.run_hooks(command, coming, settings, _unlock.warn, stdout=stdout)
        since = remind_coming.keep_marks_since(today)
    if (fired or marks) and (why := record_notified(vault, fired, marks, since=since)):
        _unlock.warn(f"could not record which notifications ran ({why}); "
                     "they run again on the next run")


def install_timer(args: argparse.Namespace) -> int:
    from profilekeeper.remind_timer import command, install

    argv = [*command(), "remind", "--quiet"]
    if args.vault:
        argv += ["--vault", str(args.vault)]
    if args.notify:
        argv.append("--notify")
    if args.occasions_only:
        argv.append("--occasions-only")
    if args.exec_command is not None:
        argv += ["--exec", args.exec_command]
    print(install(argv, write=args.yes))
    sys.stdout.flush()
    return 0
