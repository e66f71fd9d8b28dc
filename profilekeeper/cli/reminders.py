"""``remind`` and ``reminder dismiss|snooze|bought`` (contacts and calendars: ``cli/contacts.py``).

``remind`` runs in login shells and timers, so its path imports only the standard library,
``cryptography``, ``jeepney`` and the read-only store (no SQLAlchemy, SQLModel, Textual, httpx
or keyring while the fast keyring route works); tests check it. Exit statuses: 0 nothing due,
1 something due, 2 bad options, 3 locked with nobody to ask, 4 no vault, 5 nothing due but a
record could not be read (the rest is shown), 70 internal error: a failure never exits 1, which
scripts read as "buy presents". The other commands change the vault and use the full store.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, NamedTuple

from profilekeeper.cli import _unlock, remind_options
from profilekeeper.cli._output import (
    BOLD,
    DIM,
    GREEN,
    RED,
    YELLOW,
    Paint,
    local_date,
    locale_dates,
    output_flags,
    paint_for,
    print_parsable,
    printable,
)
from profilekeeper.errors import (
    INTERNAL_ERROR,
    CorruptedRecord,
    InvalidInput,
)

if TYPE_CHECKING:
    from profilekeeper.reminders import Due
    from profilekeeper.store.readonly import ReadOnlyVault
    from profilekeeper.suggestions.releases import Coming

DEFAULT_DAYS = 30
SOMETHING_DUE = 1
"""``remind``'s exit status when something is due: only ever returned after it was printed."""
COLUMNS = ("occasion_id", "person_id", "person_name", "kind", "label", "on", "days_until",
           "number", "headline", "gift_status", "top_ideas", "snoozed_until",
           "suggestion_id", "title", "creators", "shop", "city", "url")  # fmt: skip
"""The ``--json`` keys of a due item and the ``-p`` columns, in order: an occasion's first,
then a release's or an event's (each row leaves the other's empty; ``kind`` tells them apart)."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    remind = sub.add_parser(
        "remind",
        parents=[common],
        help="show birthdays and anniversaries that need a gift soon, and new releases",
        description="Show what is due, soonest first, with gift status and top ideas; then "
        "stored releases by creators you love that come out in the window or came out at "
        "most 14 days before it, and "
        "events in your city within it (what the Suggestions screen hides is not listed). "
        "Exit status 0: nothing due; 1: something due or listed; 2: bad options; 3: locked "
        "and nobody to ask; 4: no vault; 5: nothing due, but a record could not be read "
        f"(what could be is shown); {INTERNAL_ERROR}: internal error (a failure is never 1).",
    )
    remind.add_argument(
        "--days",
        type=int,
        metavar="N",
        help=f"look N days past START (default {DEFAULT_DAYS}); not with END",
    )
    output_flags(remind, COLUMNS)
    remind.add_argument(
        "--notify", action="store_true", help="also send a desktop notification (needs notify-send)"
    )
    remind.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing when nothing is due"
    )
    remind.add_argument("--today", metavar="YYYY-MM-DD", help="pretend today is this date")
    remind.add_argument("--occasions-only", action="store_true",
                        help="list occasions only: no releases or events")
    remind_options.add_arguments(remind)  # range, --lead, hooks, timer
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


class Loaded(NamedTuple):
    items: list[Due]
    coming: list[Coming]
    """Releases and events (none with ``--occasions-only``)."""
    corrupted: int
    """How many records could not be read."""
    damaged: bool
    """Whether pages of the file could not be (each damaged table is named on stderr)."""
    start: Any  # date
    days: int
    settings: dict[str, Any]
    vault: ReadOnlyVault
    """Closed, still unlocked: a hook's state is written through it."""


def _load_due(args: argparse.Namespace) -> Loaded:
    """What is due in the window ``args`` gives, and what could not be read."""
    from profilekeeper.lead_times import Leads
    from profilekeeper.model_core import Gift, Person, Profile  # not all of .model
    from profilekeeper.reminders import candidates, due, leap_day_setting
    from profilekeeper.store.damage import DamagedTable
    from profilekeeper.store.occasion_dates import occasions_near

    if args.days is not None and args.days < 0:
        raise InvalidInput("--days must be zero or more")
    if args.header and not args.parsable:
        raise InvalidInput("--header goes with -p/--parsable")
    today, days = remind_options.window(args, _today(args, args.days or DEFAULT_DAYS))
    with _open_read_only(args) as vault:
        unlock_read_only(vault, args)
        profiles = vault.load(Profile)
        settings = profiles[0].settings if profiles else {}
        leap_day = leap_day_setting(settings)
        occasions = occasions_near(vault, today, days, leap_day=leap_day)
        # Dates decide what may be due; decrypt only the people and gifts those few need:
        # the people first (their own lead days may count), then the gifts of what is left.
        maybe = candidates(occasions, today, days, leap_day=leap_day,
                           leads=Leads(settings, None, args.lead))  # fmt: skip
        people = vault.load(Person, id={o.person_id for o in maybe if o.person_id})
        leads = Leads(settings, people, args.lead)
        maybe = candidates(maybe, today, days, leap_day=leap_day, leads=leads)
        person_ids = {o.person_id for o in maybe if o.person_id}
        gifts = vault.load(Gift, person_id=person_ids, occasion_id={o.id for o in maybe})
        coming: list[Coming] = []
        failed: list[Any] = []
        if not args.occasions_only:
            from profilekeeper.cli import remind_coming

            coming, failed = remind_coming.load(
                vault, profiles[0] if profiles else Profile(), today, days)
    failed += [c for r in (profiles, occasions, people, gifts) for c in r.corrupted]
    for table in dict.fromkeys(c.table for c in failed if isinstance(c, DamagedTable)):
        _unlock.warn(str(DamagedTable(table)))  # pages of the file: once per table
    corrupted = sum(not isinstance(c, DamagedTable) for c in failed)
    damaged = len(failed) > corrupted
    items = due(maybe, people, gifts, today, days, leap_day=leap_day, leads=leads)
    return Loaded(items, coming, corrupted, damaged, today, days, settings, vault)


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
        **_NO_SUGGESTION,
    }


_NO_SUGGESTION: dict[str, Any] = {"suggestion_id": None, "title": None, "creators": [],
                                  "shop": None, "city": None, "url": None}  # fmt: skip


def coming_as_json(item: Coming) -> dict[str, Any]:
    from profilekeeper.cli.remind_coming import as_json

    return as_json(item, COLUMNS)


_GIFT_COLOR = {"no idea yet": RED, "ideas": YELLOW, "bought": GREEN, "given": GREEN}


def describe(item: Due, paint: Paint | None = None) -> str:
    """One line: when (the day as the user's locale writes it), what, and where the gift stands;
    emphasised by ``paint`` (soon in bold, the gift's status in its colour)."""
    when = {0: "today", 1: "tomorrow"}.get(item.days_until, f"in {item.days_until} days")
    gift = f"gift: {item.gift_status}"
    if item.top_ideas and item.gift_status == "ideas":
        gift += " — " + ", ".join(item.top_ideas)
    paint = paint or Paint(False)
    soon = (BOLD,) if item.days_until <= 1 else ()
    return (f"{paint(f'{when:<12}', *soon)} {paint(local_date(item.on, weekday=True), DIM)}  "
            f"{paint(printable(item.headline), BOLD)}  "
            f"({paint(printable(gift), _GIFT_COLOR.get(item.gift_status, ''))})")


def describe_coming(item: Coming, paint: Paint | None = None) -> str:
    """One line for a release or an event: when, the day, the title and why it is listed."""
    from profilekeeper.cli.remind_coming import when

    paint = paint or Paint(False)
    return (f"{paint(f'{when(item):<12}', *((BOLD,) if 0 <= item.days_until <= 1 else ()))} "
            f"{paint(local_date(item.on, weekday=True), DIM)}  "
            f"{paint(printable(item.title), BOLD)}  ({printable(item.reason)})")


def _notify(items: list[Due], coming: list[Coming]) -> None:
    import shutil
    import subprocess

    notifier = shutil.which("notify-send")
    if notifier is None:
        _unlock.warn("no desktop notifier found (install notify-send); nothing was sent")
        return
    title = ", ".join(filter(None, (
        _count(len(items), "gift reminder"), _count(len(coming), "new release or event",
                                                    "new releases and events"))))  # fmt: skip
    body = "\n".join([*(describe(i) for i in items), *map(describe_coming, coming)][:10])
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


def _count(n: int, one: str, many: str = "") -> str:
    return "" if not n else f"1 {one}" if n == 1 else f"{n} {many or one + 's'}"


def run_remind(args: argparse.Namespace) -> int:
    import atexit
    import gc

    if args.install_timer:
        return remind_options.install_timer(args)
    # Thousands of records, none in a reference cycle, in a run of a fraction of a second: the
    # cyclic collector would only scan them over and over (~7 ms). Reference counts free them.
    # At exit it would scan every object the imports made (~15 ms), all freed with the process
    # anyway: frozen, they are skipped. (Unregistered first, so calls in one process add one.)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = _load_due(args)
    finally:
        if collecting:
            gc.enable()
    items, corrupted, damaged, days = loaded.items, loaded.corrupted, loaded.damaged, loaded.days
    coming = loaded.coming
    if corrupted:
        _unlock.warn(f"{corrupted} record(s) could not be read (corrupted or damaged); "
                     "they are left out")
    locale_dates()  # LC_TIME for every date written for people: these lines, hooks' messages
    if args.json:
        from profilekeeper.plain_text import json_dumps  # no control raw, even in a name

        payload = {
            "days": days,
            "due": [due_as_json(i) for i in items],
            "coming": [coming_as_json(c) for c in coming],
            "corrupted": corrupted,
        }
        print(json_dumps(payload, indent=2))
    elif args.parsable:
        print_parsable([*map(due_as_json, items), *map(coming_as_json, coming)], COLUMNS,
                       header=args.header)  # fmt: skip
    elif items or coming:
        paint = paint_for(args)
        for item in items:
            print(describe(item, paint))
        for release in coming:
            print(describe_coming(release, paint))
    elif not args.quiet:
        since = "" if args.start is None else f" from {loaded.start.isoformat()}"
        print(f"Nothing due{since} in the next {days} days.")
    if args.notify and (items or coming):
        _notify(items, coming)
    if (items or coming) and (command := remind_options.hook_command(args, loaded.settings)):
        remind_options.run_hooks(command, items, coming, loaded.vault, loaded.settings,
                                 loaded.start, to_stderr=args.json or args.parsable)
    if items or coming:
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
