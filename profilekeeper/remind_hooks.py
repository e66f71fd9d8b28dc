"""The notification hook: ``remind --exec CMD`` (or the ``notify.command`` setting) runs CMD for
each due item, once per lead point, as remind(1)'s ``-k`` and calcurse's notification.command.

A lead point is one of the item's lead days (14, 3, 0 — 0 is the day itself). A point is
*passed* once ``days_until <= point``; the hook fires when a passed point has not fired yet for
that occurrence, once however many passed since the last run (a timer that missed a day still
fires, once), with ``PROFILEKEEPER_LEAD`` the nearest of them. Which points fired is kept in
the occasion's sealed ``reminder_state[year]["notified"]`` (``"14,3"``), written by the caller
for the hooks that succeeded only: a failing hook is tried again on the next run.

CMD runs through ``/bin/sh -c`` with the item's fields in the environment (``ENV_FIELDS``) and
``%s`` replaced by the message, shell-quoted (``%%`` is a ``%``). Its output goes where
``remind``'s goes. A hook that fails (non-zero exit, not found, ``TIMEOUT`` seconds passed) is
reported on stderr by the item's position and the exit status only — cron mails stderr, so no
name or date — and the others still run.

Standard library only, imported only when a hook is to run.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from profilekeeper.notify_marks import pending_points
from profilekeeper.reminders import Due

TIMEOUT = 30.0
"""Seconds a hook may run before it is stopped and reported."""
PREFIX = "PROFILEKEEPER_"
ENV_FIELDS = ("PERSON", "KIND", "LABEL", "HEADLINE", "DATE", "DAYS_LEFT", "LEAD", "NUMBER",
              "GIFT_STATUS", "IDEAS", "MESSAGE", "OCCASION_ID")  # fmt: skip
"""Each with ``PREFIX``: what a hook finds in its environment (docs/reminders.md)."""
COMING_FIELDS = ("TITLE", "CREATORS", "SHOP", "CITY", "URL", "SUGGESTION_ID")
"""A release's or event's own (cli/remind_coming.py). Every hook gets both sets, those that do
not apply empty: a script under ``set -u`` runs for either kind."""
SECRET_PREFIXES = (PREFIX + "PASSPHRASE", PREFIX + "NEW_PASSPHRASE")
"""Left out of the hook's environment."""


class Fired(NamedTuple):
    """A hook that ran to success: record ``points`` as notified for ``year``."""

    occasion_id: str
    year: int
    points: tuple[int, ...]


def pending(item: Due) -> tuple[int, tuple[int, ...]] | None:
    """The lead point to fire for now (the nearest passed) and every passed point to record
    with it; None when every passed point has fired."""
    return pending_points(item.days_until, item.leads or (0,), item.notified)  # none: the day


def when(days: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def message(item: Due) -> str:
    """``Sam turns 40 in 9 days, on Sun 10 May (gift: ideas)``."""
    return (f"{item.headline} {when(item.days_until)}, on {item.on:%a %d %b} "
            f"(gift: {item.gift_status})")


def environment(item: Due, lead: int) -> dict[str, str]:
    fields = {
        "PERSON": item.person_name, "KIND": item.kind, "LABEL": item.label,
        "HEADLINE": item.headline, "DATE": item.on.isoformat(),
        "DAYS_LEFT": str(item.days_until), "LEAD": str(lead),
        "NUMBER": "" if item.number is None else str(item.number),
        "GIFT_STATUS": item.gift_status, "IDEAS": ", ".join(item.top_ideas),
        "MESSAGE": message(item), "OCCASION_ID": item.occasion_id,
        **dict.fromkeys(COMING_FIELDS, ""),
    }  # fmt: skip
    # Never the passphrase a script handed to remind: the hook is another program.
    kept = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_PREFIXES)}
    return {**kept, **{PREFIX + k: v for k, v in fields.items()}}


def expand(command: str, text: str) -> str:
    """``command`` with ``%s`` as ``text`` shell-quoted and ``%%`` as ``%``."""
    parts = command.split("%%")
    return "%".join(part.replace("%s", shlex.quote(text)) for part in parts)


def _run_one(
    script: str, env: dict[str, str], stdout: int | None
) -> tuple[int | None, BaseException | None]:
    """The exit status of ``sh -c script``, or the error that stopped it. In a session of its
    own, so a timeout stops what it started too."""
    try:
        proc = subprocess.Popen(["/bin/sh", "-c", script], env=env, stdin=subprocess.DEVNULL,
                                stdout=stdout, start_new_session=True)  # fmt: skip
    except OSError as error:
        return None, error
    try:
        return proc.wait(timeout=TIMEOUT), None
    except subprocess.TimeoutExpired as error:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None, error


def _failure(returncode: int | None, error: BaseException | None) -> str:
    if isinstance(error, subprocess.TimeoutExpired):
        return f"stopped after {TIMEOUT:g} s"
    if returncode is None:
        return "could not be started"
    if returncode == 127:
        return "command not found (exit status 127)"
    if returncode < 0:
        return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def run(
    command: str, items: Sequence[Due], warn: Callable[[str], None], *, stdout: int | None = None
) -> list[Fired]:
    """Run ``command`` for each of ``items`` with a point to fire; the ones that succeeded.
    ``stdout``: a file descriptor for the hooks' output (``--json`` keeps stdout for JSON)."""
    fired: list[Fired] = []
    sys.stdout.flush()  # the list printed so far comes before what the hooks print
    for position, item in enumerate(items, 1):
        if (due_now := pending(item)) is None:
            continue
        lead, passed = due_now
        returncode, error = _run_one(expand(command, message(item)), environment(item, lead),
                                     stdout)
        if returncode == 0:
            fired.append(Fired(item.occasion_id, item.on.year, passed))
        else:
            warn(f"notification hook for due item {position} of {len(items)} failed "
                 f"({_failure(returncode, error)}); it is tried again on the next run")
    return fired
