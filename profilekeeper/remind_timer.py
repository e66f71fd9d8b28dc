"""``remind --install-timer``: a systemd user timer and service (and a cron line) for a daily run.

Printed by default; written under ``$XDG_CONFIG_HOME/systemd/user`` (``~/.config``) with
``--yes``. systemctl is never run here: enabling the timer is the user's step, said plainly.
Arguments are quoted for each format: systemd's ``ExecStart`` (double quotes, ``%`` as ``%%``,
``$`` as ``$$``) and cron's (shell quoting, ``%`` as ``\\%``, which cron would read as a newline).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence

NAME = "profilekeeper-remind"
HOUR = "09:00"


def command() -> list[str]:
    """How to start this profilekeeper from a timer: its installed script if there is one."""
    beside = os.path.join(os.path.dirname(sys.executable), "profilekeeper")
    if os.access(beside, os.X_OK):
        return [beside]
    found = shutil.which("profilekeeper")
    return [found] if found else [sys.executable, "-m", "profilekeeper"]


def _systemd_word(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"' if not escaped or any(c in escaped for c in ' \t"\\\'') else escaped


def service(argv: Sequence[str]) -> str:
    return f"""[Unit]
Description=Gift reminders from profilekeeper

[Service]
Type=oneshot
ExecStart={" ".join(map(_systemd_word, argv))}
# Exit status 1 means "something is due", not a failure.
SuccessExitStatus=1
"""


def timer() -> str:
    return f"""[Unit]
Description=Gift reminders every morning and shortly after login

[Timer]
OnCalendar=*-*-* {HOUR}
OnStartupSec=2min
Persistent=true

[Install]
WantedBy=timers.target
"""


def cron_line(argv: Sequence[str]) -> str:
    hour, minute = HOUR.split(":")
    words = " ".join(shlex.quote(w) for w in argv).replace("%", "\\%")
    bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{os.getuid()}/bus"
    return f"{int(minute)} {int(hour)} * * * {bus} {words}"


def unit_dir() -> str:
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(config, "systemd", "user")


ENABLE = (f"systemctl --user daemon-reload && systemctl --user enable --now {NAME}.timer",
          f"journalctl --user -u {NAME}   # what it printed")  # fmt: skip


def install(argv: Sequence[str], *, write: bool) -> str:
    """The units and the cron line as text to print; with ``write``, the units written too."""
    units = {f"{NAME}.service": service(argv), f"{NAME}.timer": timer()}
    lines: list[str] = []
    if write:
        directory = unit_dir()
        os.makedirs(directory, exist_ok=True)
        for name, text in units.items():
            path = os.path.join(directory, name)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            lines.append(f"Wrote {path}")
        lines += ["", "Enable it with:", *(f"  {c}" for c in ENABLE)]
    else:
        for name, text in units.items():
            lines += [f"# {os.path.join(unit_dir(), name)}", text]
        lines += ["# Then:", *(f"#   {c}" for c in ENABLE),
                  "# Written for you by: profilekeeper remind --install-timer --yes"]  # fmt: skip
    lines += ["", "# Or, from cron (crontab -e):", cron_line(argv)]
    return "\n".join(lines)
