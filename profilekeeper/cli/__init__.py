"""The ``profilekeeper`` command line.

Parsing is cheap and imports nothing heavy: each module in ``COMMAND_MODULES`` registers its
sub-commands with ``register(subparsers, common)``, and a handler imports what it needs
(SQLAlchemy, Textual, httpx) only when it runs. ``profilekeeper`` with no command opens the TUI.
When the command is plain from argv, only its module is imported and registered (``COMMANDS``):
``remind`` runs from login shells, and building all the parsers costs it ~25 ms (~40 ms of CPU
in all); with no command at all (the app) none is.

Exit statuses: 0 ok, 2 usage or bad input, 3 wrong passphrase or locked, 4 not found,
5 corrupted record, 69 a shop failed (refused, unreachable), 70 internal error (a bug:
EX_SOFTWARE), 76 a shop's answer was not the protocol, 130 interrupted. 1 is never an
error: it is ``remind``'s "something is due" and ``retailer check``'s "a rule failed".
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from profilekeeper import __version__
from profilekeeper.errors import INTERNAL_ERROR, InvalidInput, ProfileKeeperError

COMMAND_MODULES = (
    "profilekeeper.cli.vault",
    "profilekeeper.cli.profile",
    "profilekeeper.cli.people",
    "profilekeeper.cli.interests",
    "profilekeeper.cli.occasions",
    "profilekeeper.cli.gifts",
    "profilekeeper.cli.purchases",
    "profilekeeper.cli.transfer",
    "profilekeeper.cli.backup",
    "profilekeeper.cli.reminders",
    "profilekeeper.cli.contacts",
    "profilekeeper.cli.shop",
    "profilekeeper.cli.share",
    "profilekeeper.cli.sync",
    "profilekeeper.cli.retailer",
    "profilekeeper.cli.suggestions",
    "profilekeeper.cli.rules",
    "profilekeeper.cli.app",
)

COMMANDS = {
    **dict.fromkeys(("init", "passwd", "rotate-key", "keyring"), "profilekeeper.cli.vault"),
    "profile": "profilekeeper.cli.profile",
    "person": "profilekeeper.cli.people",
    "interest": "profilekeeper.cli.interests",
    "occasion": "profilekeeper.cli.occasions",
    "gift": "profilekeeper.cli.gifts",
    "purchase": "profilekeeper.cli.purchases",
    **dict.fromkeys(("export", "import"), "profilekeeper.cli.transfer"),
    **dict.fromkeys(("backup", "restore"), "profilekeeper.cli.backup"),
    **dict.fromkeys(("remind", "reminder"), "profilekeeper.cli.reminders"),
    "import-contacts": "profilekeeper.cli.contacts",
    "shop": "profilekeeper.cli.shop",
    "share": "profilekeeper.cli.share",
    "sync": "profilekeeper.cli.sync",
    "retailer": "profilekeeper.cli.retailer",
    **dict.fromkeys(("suggestions", "feedback"), "profilekeeper.cli.suggestions"),
    "rule": "profilekeeper.cli.rules",
    "demo": "profilekeeper.cli.app",
}  # fmt: skip
"""Command name → the module that registers it (a test keeps this in step with the modules)."""


class _Parser(argparse.ArgumentParser):
    """argparse makes a help formatter in ``add_argument`` (to check the metavar) and in
    ``add_subparsers`` (to name the sub-parsers), and every formatter asks the terminal's width,
    importing ``shutil``: ~4 ms of each ``remind``. Neither result depends on the width, so they
    get a fixed one; help, usage and errors are formatted as ever."""

    _building = False

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        return self._built(super().add_argument, *args, **kwargs)  # type: ignore[no-any-return]

    def add_subparsers(self, **kwargs: Any) -> Any:
        return self._built(super().add_subparsers, **kwargs)

    def _built(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        self._building = True
        try:
            return method(*args, **kwargs)
        finally:
            self._building = False

    def _get_formatter(self) -> argparse.HelpFormatter:
        if self._building:
            return argparse.HelpFormatter(prog=self.prog, width=80)
        return super()._get_formatter()


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    # Options every command accepts, before or after the command name.
    common = _Parser(add_help=False)
    common.add_argument(
        "--vault",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="vault file (default: $PROFILEKEEPER_VAULT, else the platform data directory)",
    )
    common.add_argument(
        "--passphrase-stdin",
        action="store_true",
        default=argparse.SUPPRESS,
        help="read the passphrase from the first line of standard input (for scripts)",
    )
    parser = _Parser(
        prog="profilekeeper",
        description="Your own shopper profile, kept by you: people, dates, gifts and "
        "what each shop may know. With no command, opens the app.",
        epilog="Passphrase for scripts: --passphrase-stdin or PROFILEKEEPER_PASSPHRASE. "
        "Exit statuses: 2 bad input, 3 wrong passphrase or locked, 4 not found, 5 corrupted, "
        "69 a shop failed (76: its answer was not the protocol), "
        f"{INTERNAL_ERROR} internal error; remind: 1 something is due.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"profilekeeper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(sub, common)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, when nothing before it could change how it parses; "" when
    it names none (the app).

    Only ``--vault PATH`` and ``--passphrase-stdin`` written out in full may come first;
    anything else (``--help``, ``--version``, abbreviations, an unknown word) gets None, and
    the full parser then answers exactly as it always did.
    """
    args = iter(argv)
    for arg in args:
        if arg == "--vault":
            next(args, None)
        elif arg != "--passphrase-stdin" and not arg.startswith("--vault="):
            return arg if arg in COMMANDS else None
    return ""


_YEARLESS_DATE = re.compile(r"^--\d{1,2}-?\d{2}$")


def _protect_yearless_dates(argv: Sequence[str]) -> list[str]:
    """Let ``--03-15`` (a date without its year) through argparse as a value, not an option.

    argparse takes any token containing a space for a value; the date parser strips it again.
    """
    return [f"{arg} " if _YEARLESS_DATE.match(arg) else arg for arg in argv]


_PATH_ARGUMENTS = frozenset({"vault", "output", "file", "catalog"})
"""Arguments that name files: a file name may be any bytes, so these may hold undecodable ones."""


def _check_text(args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid text before it reaches the vault or the terminal.

    Python hands bytes that are not UTF-8 over as lone surrogates, which no record can be sealed
    with; a NUL cannot come from a shell but can from a caller in-process.
    """
    for name, value in vars(args).items():
        if not isinstance(value, str):
            continue
        shown = name.replace("_", "-")
        if "\x00" in value:
            raise InvalidInput(f"the {shown} argument holds a NUL character")
        if name not in _PATH_ARGUMENTS and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput(f"the {shown} argument is not valid UTF-8 text") from None


def _tolerant_output() -> None:
    """Print what standard output cannot encode as escapes instead of failing on it.

    Python's standard output is strict in an ordinary UTF-8 locale (and in a Latin-1 one): a
    file name holding other bytes, or a name like "Åsa", would end a command that has done its
    work with an encoding error. (Standard error escapes them already.)
    """
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and sys.stdout.errors == "strict":
        reconfigure(errors="backslashreplace")


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
"""Write errors that mean "no room", wherever they come from (the output, a file written)."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    except ProfileKeeperError as error:
        print(f"profilekeeper: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:
        from profilekeeper.store import damage  # sqlite3 alone: cheap, and only on failure

        if isinstance(error, OSError) and error.errno in _FULL:  # not a bug: say it plainly
            print(f"profilekeeper: could not write: {error.strerror}", file=sys.stderr)
            return InvalidInput.exit_code
        if damage.is_damage(error):  # a write or a count that ran into a damaged page
            damaged = damage.DamagedVault("some of its pages cannot be read")
            print(f"profilekeeper: {damaged}", file=sys.stderr)
            return damaged.exit_code
        # Messages of unexpected errors may hold record contents: name the type only.
        if os.environ.get("PROFILEKEEPER_DEBUG"):
            raise
        print(
            f"profilekeeper: internal error ({type(error).__name__}); "
            "run with PROFILEKEEPER_DEBUG=1 for details",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def _run(argv: Sequence[str]) -> int:
    argv = _protect_yearless_dates(argv)
    command = _named_command(argv)
    modules = COMMAND_MODULES if command is None else (COMMANDS[command],) if command else ()
    parser = build_parser(modules)
    args = parser.parse_args(argv)
    args.vault = getattr(args, "vault", None)
    args.passphrase_stdin = getattr(args, "passphrase_stdin", False)
    if args.vault == "":
        raise InvalidInput("--vault needs a path")
    _check_text(args)
    _tolerant_output()
    handler = getattr(args, "handler", None)
    if handler is None:
        from profilekeeper.cli.app import run_app

        handler = run_app
    code = int(handler(args) or 0)
    _flush_output()
    return code


def _flush_output() -> None:
    """Write out what is still buffered for standard output, and say so if that fails (a full
    disk, ``> /dev/full``): else Python's own flush at exit fails with status 120."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more can reach the output
        raise InvalidInput(f"could not write the output: {error.strerror}") from None


if __name__ == "__main__":
    raise SystemExit(main())
