"""``remind``, ``reminder dismiss|snooze|bought``, ``import-contacts`` and ``export --format ics``.

``remind`` runs in login shells and timers, so its path imports only the standard library,
``cryptography``, ``jeepney`` and the read-only store (no SQLAlchemy, SQLModel, Textual, httpx
or keyring while the fast keyring route works); tests check it. Exit statuses: 0 nothing due,
1 something due, 2 bad options, 3 locked with nobody to ask, 4 no vault, 5 nothing due but a
record could not be read (the rest is shown), 70 internal error: a failure never exits 1, which
scripts read as "buy presents". The other commands change the vault and use the full store.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from profilekeeper.cli import _unlock
from profilekeeper.cli._output import printable
from profilekeeper.errors import (
    INTERNAL_ERROR,
    CorruptedRecord,
    InvalidInput,
)

if TYPE_CHECKING:
    from profilekeeper.reminders import Due
    from profilekeeper.store.readonly import ReadOnlyVault

DEFAULT_DAYS = 30
SOMETHING_DUE = 1
"""``remind``'s exit status when something is due: only ever returned after it was printed."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    remind = sub.add_parser(
        "remind",
        parents=[common],
        help="show birthdays and anniversaries that need a gift soon",
        description="Show what is due, soonest first, with gift status and top ideas. "
        "Exit status 0: nothing due; 1: something due; 2: bad options; 3: locked and nobody "
        "to ask; 4: no vault; 5: nothing due, but a record could not be read (what could be "
        f"is shown); {INTERNAL_ERROR}: internal error (a failure is never 1).",
    )
    remind.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"look N days ahead (default {DEFAULT_DAYS})",
    )
    remind.add_argument("--json", action="store_true", help="print JSON for scripts")
    remind.add_argument(
        "--notify", action="store_true", help="also send a desktop notification (needs notify-send)"
    )
    remind.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing when nothing is due"
    )
    remind.add_argument("--today", metavar="YYYY-MM-DD", help="pretend today is this date")
    remind.set_defaults(handler=run_remind)

    reminder = sub.add_parser(
        "reminder",
        parents=[common],
        help='dismiss, snooze or mark "gift bought" a reminder (this year\'s only)',
        description="Quiet the reminder for a person's occasion. It applies to the next "
        "occurrence (this year's, or next year's once this year's has passed) and to no other.",
    )
    actions = reminder.add_subparsers(dest="reminder_action", metavar="ACTION", required=True)
    for name, help_text in (
        ("dismiss", "stop reminding about this occurrence"),
        ("snooze", "stay quiet until a date, then remind again"),
        ("bought", "the gift is bought: stop reminding about this occurrence"),
    ):
        p = actions.add_parser(name, parents=[common], help=help_text)
        p.add_argument("person", metavar="PERSON")
        p.add_argument("kind", metavar="KIND", help="birthday, anniversary, …")
        if name == "snooze":
            p.add_argument("--until", required=True, metavar="YYYY-MM-DD")
        p.add_argument("--today", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)
        p.set_defaults(handler=run_reminder_action)

    contacts = sub.add_parser(
        "import-contacts",
        parents=[common],
        help="add people, birthdays and anniversaries from vCard (.vcf) files or a vdir",
        description="Read vCard 2.1/3.0/4.0 contacts from files, or from folders of .vcf files "
        "(a vdir, as vdirsyncer and khard keep one). Re-importing updates people (matched by "
        "UID, else by name) instead of adding them twice. A line that cannot be read is "
        "skipped and named (its number and property, never its value); the rest of its card is "
        "kept.",
    )
    contacts.add_argument("paths", nargs="+", metavar="FILE.vcf|DIR")
    contacts.add_argument("--json", action="store_true", help="print the report as JSON")
    contacts.set_defaults(handler=run_import_contacts)


# --- remind -------------------------------------------------------------------------------


def _today(args: argparse.Namespace, days: int) -> Any:
    """Today, or ``--today``, checked so that looking ``days`` ahead stays inside the calendar."""
    from datetime import date, timedelta

    if not args.today:
        today = date.today()
    else:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise InvalidInput("--today is written YYYY-MM-DD") from None
    # A next occurrence may lie a year past the window and a lead time reaches a year before.
    year = timedelta(days=366)
    try:
        today - year, today + timedelta(days=days) + year
    except OverflowError:
        what = "--days" if not args.today else "--today" + (" with --days" if days > 366 else "")
        raise InvalidInput(f"{what} reaches beyond the calendar (years 1 to 9999)") from None
    return today


def _open_read_only(args: argparse.Namespace) -> ReadOnlyVault:
    from profilekeeper.read_access import open_read_only
    from profilekeeper.store.paths import vault_location

    return open_read_only(vault_location(args.vault))


def unlock_read_only(vault: ReadOnlyVault, args: argparse.Namespace) -> None:
    """Unlock by the one policy (passphrase given, remembered key, prompt at a terminal, else
    exit 3), recalling the key the fast way: no ``keyring`` import while D-Bus answers."""

    from profilekeeper.read_access import recall_key_fast

    _unlock.unlock(vault, args, remembered=vault.remembered,
                   recall=lambda: recall_key_fast(vault.vault_id))


def _load_due(args: argparse.Namespace) -> tuple[list[Due], int, bool]:
    """What is due, how many records could not be read, and whether pages of the file could
    not be (each damaged table is named on stderr here, once)."""
    from profilekeeper.model_core import Gift, Person, Profile  # not all of .model
    from profilekeeper.reminders import candidates, due, leap_day_setting
    from profilekeeper.store.damage import DamagedTable
    from profilekeeper.store.occasion_dates import occasions_near

    if args.days < 0:
        raise InvalidInput("--days must be zero or more")
    today = _today(args, args.days)
    with _open_read_only(args) as vault:
        unlock_read_only(vault, args)
        profiles = vault.load(Profile)
        leap_day = leap_day_setting(profiles[0].settings if profiles else {})
        occasions = occasions_near(vault, today, args.days, leap_day=leap_day)
        # Dates decide what may be due; decrypt only the people and gifts those few need.
        maybe = candidates(occasions, today, args.days, leap_day=leap_day)
        person_ids = {o.person_id for o in maybe if o.person_id}
        people = vault.load(Person, id=person_ids)
        gifts = vault.load(Gift, person_id=person_ids, occasion_id={o.id for o in maybe})
    failed = [c for r in (profiles, occasions, people, gifts) for c in r.corrupted]
    for table in dict.fromkeys(c.table for c in failed if isinstance(c, DamagedTable)):
        _unlock.warn(str(DamagedTable(table)))  # pages of the file: once per table
    corrupted = sum(not isinstance(c, DamagedTable) for c in failed)
    damaged = len(failed) > corrupted
    return due(maybe, people, gifts, today, args.days, leap_day=leap_day), corrupted, damaged


def due_as_json(item: Due) -> dict[str, Any]:
    """One due item in the ``--json`` shape (dates as ISO strings)."""
    return {
        "occasion_id": item.occasion_id,
        "person_id": item.person_id,
        "person_name": item.person_name,
        "kind": item.kind,
        "label": item.label,
        "on": item.on.isoformat(),
        "days_until": item.days_until,
        "number": item.number,
        "headline": item.headline,
        "gift_status": item.gift_status,
        "top_ideas": list(item.top_ideas),
        "snoozed_until": item.snoozed_until.isoformat() if item.snoozed_until else None,
    }


def describe(item: Due) -> str:
    """One line: when, what, and where the gift stands."""
    when = {0: "today", 1: "tomorrow"}.get(item.days_until, f"in {item.days_until} days")
    gift = f"gift: {item.gift_status}"
    if item.top_ideas and item.gift_status == "ideas":
        gift += " — " + ", ".join(item.top_ideas)
    return printable(f"{when:<12} {item.on:%a %d %b}  {item.headline}  ({gift})")


def _notify(items: list[Due]) -> None:
    import shutil
    import subprocess

    notifier = shutil.which("notify-send")
    if notifier is None:
        _unlock.warn("no desktop notifier found (install notify-send); nothing was sent")
        return
    title = "1 gift reminder" if len(items) == 1 else f"{len(items)} gift reminders"
    body = "\n".join(describe(i) for i in items[:10])
    try:
        done = subprocess.run(
            [notifier, "--app-name=profilekeeper", title, body],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is None or done.returncode != 0:
        _unlock.warn("notify-send could not show the notification (no notification service?)")


def run_remind(args: argparse.Namespace) -> int:
    import atexit
    import gc

    # Thousands of records, none in a reference cycle, in a run of a fraction of a second: the
    # cyclic collector would only scan them over and over (~7 ms). Reference counts free them.
    # At exit it would scan every object the imports made (~15 ms), all freed with the process
    # anyway: frozen, they are skipped. (Unregistered first, so calls in one process add one.)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    collecting = gc.isenabled()
    gc.disable()
    try:
        items, corrupted, damaged = _load_due(args)
    finally:
        if collecting:
            gc.enable()
    if corrupted:
        _unlock.warn(f"{corrupted} record(s) could not be read (corrupted or damaged); "
                     "they are left out")
    if args.json:
        import json

        payload = {
            "days": args.days,
            "due": [due_as_json(i) for i in items],
            "corrupted": corrupted,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    elif items:
        for item in items:
            print(describe(item))
    elif not args.quiet:
        print(f"Nothing due in the next {args.days} days.")
    if args.notify and items:
        _notify(items)
    if items:
        return SOMETHING_DUE  # even with a record left out: the warning above says so
    return CorruptedRecord.exit_code if corrupted or damaged else 0


def run_reminder_action(args: argparse.Namespace) -> int:
    from datetime import date

    from profilekeeper.services import act_on_next  # the app's policy; never on remind's path

    today = _today(args, 366)
    verb = args.reminder_action
    until = None
    if verb == "snooze":
        try:
            until = date.fromisoformat(args.until)
        except ValueError:
            raise InvalidInput("--until is written YYYY-MM-DD") from None
    with _unlock.open_unlocked(args) as vault:
        acted = act_on_next(vault, args.person, args.kind, verb, today, until)
    done = {"dismiss": "Dismissed", "snooze": f"Snoozed until {until}",
            "bought": "Marked the gift bought"}[verb]
    for item in acted:
        print(f"{done}: {item.headline} on {item.on.isoformat()}.")
    return 0


# --- contacts and calendar ---------------------------------------------------------------


def run_import_contacts(args: argparse.Namespace) -> int:
    """Each path in its own transaction, in order; a report for each (text or ``--json``)."""
    from pathlib import Path

    from profilekeeper.services import import_contacts_report

    for path in args.paths:  # before the unlock: a wrong path is said before a passphrase
        try:
            if not Path(path).is_dir():
                Path(path).open("rb").close()
        except OSError:
            raise InvalidInput(f"cannot read {path}" if len(args.paths) > 1
                               else "cannot read that file") from None
    reports = []
    vault = _unlock.open_unlocked(args)
    try:
        for path in args.paths:
            try:
                reports.append((path, import_contacts_report(vault, path)))  # read as it goes
            except OSError:  # a read failing half-way; nothing of this path was written
                raise InvalidInput(f"cannot read {path}") from None
    finally:
        vault.close()
    if args.json:
        import json

        payload = {"imports": [{"path": path, **report.as_json()} for path, report in reports]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    for path, report in reports:
        where = f"{path}: " if len(reports) > 1 else ""
        for message in report.skipped:
            _unlock.warn(f"{where}skipped {printable(str(message))}")
        if report.skipped.more:
            _unlock.warn(f"{where}… and {report.skipped.more} more line(s) or card(s) skipped")
        for merged in report.merged:
            _unlock.warn(where + printable(str(merged)))
        print(where + report.summary())
    return 0


def export_vdir(args: argparse.Namespace) -> int:
    """``export --format vdir DIR``: one .vcf per person into DIR, for khard and khal."""
    from profilekeeper.services import check_vdir_path, export_vdir

    folder = getattr(args, "folder", None) or getattr(args, "output", None)
    if not folder or str(folder) == "-":
        raise InvalidInput("export --format vdir needs a folder: export --format vdir DIR")
    check_vdir_path(str(folder))  # before the passphrase is asked
    vault = _unlock.open_unlocked(args)
    try:
        written, removed, unreadable = export_vdir(vault, str(folder),
                                                   names=not getattr(args, "no_names", False))
    finally:
        vault.close()
    if unreadable:
        _unlock.warn(f"{unreadable} record(s) could not be read (corrupted or damaged); "
                     "they are left out")
    gone = f"; removed {removed} left from an earlier export" if removed else ""
    _unlock.warn(f"wrote {written} card(s) to {folder} (readable by you only){gone}")
    return 0


def export_ics(args: argparse.Namespace) -> int:
    """``export --format ics``: write the occasions as a calendar to ``args.output`` or stdout.

    Reads ``args.no_names`` when the export parser offers ``--no-names``.
    """
    from profilekeeper.services import calendar_of, check_export_path, write_export

    output = getattr(args, "output", None)
    if output and str(output) != "-":
        check_export_path(str(output))  # before the passphrase is asked
    vault = _unlock.open_unlocked(args)
    try:
        data, written, unreadable = calendar_of(vault, names=not getattr(args, "no_names", False))
    finally:
        vault.close()
    if unreadable:
        _unlock.warn(f"{unreadable} record(s) could not be read (corrupted or damaged); "
                     "they are left out")
    if output and str(output) != "-":
        write_export(str(output), data.decode("utf-8"))
        _unlock.warn(f"wrote {written} occasion(s) to {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
