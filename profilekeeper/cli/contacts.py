"""``import-contacts``, and ``export --format ics|vdir``: dates in and out of the tools people
already keep them in (address books, khard and khal, calendars). They use the full store."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from profilekeeper.cli import _unlock
from profilekeeper.cli._output import printable
from profilekeeper.errors import InvalidInput


def register(sub: Any, common: argparse.ArgumentParser) -> None:
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
        from profilekeeper.plain_text import json_dumps  # a card's text is someone else's

        payload = {"imports": [{"path": path, **report.as_json()} for path, report in reports]}
        print(json_dumps(payload, indent=2))
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
