"""``export`` (decrypted JSON, or a calendar) and ``import`` (a JSON export)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from profilekeeper.cli._unlock import open_unlocked, warn
from profilekeeper.errors import InvalidInput


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export",
        parents=[common],
        help="export the whole profile (plaintext JSON), a calendar (.ics) or a vdir of vCards",
        description="Write everything in the vault, decrypted, for use in another program. "
        "The JSON export is NOT encrypted: keep it somewhere private and delete it after use.",
    )
    p.add_argument("--format", choices=("json", "ics", "vdir"), default="json",
                   help="vdir: one .vcf per person in the folder DIR, for khard and khal")
    p.add_argument("folder", nargs="?", metavar="DIR", help="vdir only: the folder to write")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write here (mode 0600) instead of stdout"
    )
    p.add_argument(
        "--skip-corrupted",
        action="store_true",
        help="leave out records that fail to decrypt instead of stopping",
    )
    p.add_argument(
        "--no-names",
        "--names-off",
        dest="no_names",
        action="store_true",
        help="ics and vdir: leave names out (initials and the relationship instead), for "
        "calendars and folders others can see",
    )
    p.set_defaults(handler=export)

    p = sub.add_parser(
        "import",
        parents=[common],
        help="import a JSON export",
        description="Load a profilekeeper JSON export. Records with the same id are "
        "overwritten, new ones added; all in one transaction.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--replace", action="store_true", help="empty the vault first")
    p.set_defaults(handler=import_)


def export(args: argparse.Namespace) -> int:
    if args.format in ("ics", "vdir"):
        from profilekeeper.cli.contacts import export_ics, export_vdir

        return (export_ics if args.format == "ics" else export_vdir)(args)
    if args.folder:
        raise InvalidInput("a folder (DIR) is for --format vdir; use -o FILE")
    from profilekeeper.services import check_export_path, export_json_text, write_export

    if args.output == "-":  # as for the calendar: "-" is standard output
        args.output = None
    if args.output:
        check_export_path(args.output)  # before the passphrase is asked
    left_out: dict[str, int] = {}
    with open_unlocked(args) as vault:
        text = export_json_text(vault, skip_corrupted=args.skip_corrupted, left_out=left_out)
    if left_out["unreadable"]:
        warn(f"{left_out['unreadable']} record(s) could not be read and are left out, with "
             f"{left_out['dependent']} that belonged to them; {left_out['detached']} gift(s) "
             "are kept without their person or occasion")  # fmt: skip
    if args.output:
        write_export(args.output, text)
        print(f"Exported to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    # Once written: a refused path is then the only line, and nothing plaintext was made.
    warn("this export is plaintext, not encrypted: keep it private and delete it when done")
    return 0


def import_(args: argparse.Namespace) -> int:
    from profilekeeper.services import import_json_text, read_import

    text = read_import(args.file)  # a wrong path is said before the passphrase is asked
    with open_unlocked(args) as vault:
        counts = import_json_text(vault, text, replace=args.replace)
    print(f"Imported {sum(counts.values())} records.")
    return 0
