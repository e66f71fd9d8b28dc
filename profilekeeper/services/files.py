"""Files in and out: the JSON export, the calendar, contacts (run from workers: they read or
write the whole vault)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from profilekeeper.model import Occasion, Person, Profile
from profilekeeper.services.views import leap_day

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

PLAINTEXT_WARNING = (
    "The export file is NOT encrypted: anyone who can read it sees your whole profile, "
    "including the people you buy for. Keep it somewhere private and delete it when done."
)


def export_json_file(vault: Vault, path: str) -> str:
    from pathlib import Path

    from profilekeeper.store.transfer import export_json, write_private_file

    write_private_file(Path(path), export_json(vault))
    return "Exported the vault as JSON (readable by you only)."


def import_json_file(vault: Vault, path: str) -> str:
    from pathlib import Path

    from profilekeeper.store.transfer import import_json, read_export_file

    counts = import_json(vault, read_export_file(Path(path)))
    return f"Imported {sum(counts.values())} records."


def calendar_of(vault: Vault, *, names: bool = True) -> tuple[bytes, int, int]:
    """The .ics calendar of every occasion: its bytes, the occasions in it, records unreadable."""
    from profilekeeper.calendar_ics import build_calendar

    occasions, people = vault.list(Occasion), vault.list(Person)
    # An event shows its occasion, its person's name and, on 29 February, a setting.
    when = {cls: vault.last_changed(cls) for cls in (Occasion, Person, Profile)}
    profile_changed = when[Profile].get("me", 0)
    changed = {
        o.id: max(when[Occasion].get(o.id, 0), when[Person].get(o.person_id or "", 0),
                  profile_changed if (o.month, o.day) == (2, 29) else 0)
        for o in occasions
    }  # fmt: skip
    data = build_calendar(
        occasions, people, names=names, leap_day=leap_day(vault), changed=changed
    )
    return data, len(occasions), len(occasions.corrupted) + len(people.corrupted)


def export_ics_file(vault: Vault, path: str, *, names: bool = True) -> str:
    from pathlib import Path

    from profilekeeper.store.transfer import write_private_file

    data, written, _ = calendar_of(vault, names=names)
    write_private_file(Path(path), data.decode("utf-8"))  # names and dates: owner-only
    return f"Exported the calendar of {written} occasion(s)."


def import_contacts_file(vault: Vault, path: str) -> str:
    from pathlib import Path

    from profilekeeper.contacts import import_vcard

    with Path(path).expanduser().open("rb") as stream:
        return import_vcard(vault, stream).summary()
