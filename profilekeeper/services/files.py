"""Files in and out: the JSON export, the calendar, contacts (run from workers: they read or
write the whole vault)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion, Person, Profile
from profilekeeper.services.views import leap_day

if TYPE_CHECKING:
    from profilekeeper.contacts import ImportReport
    from profilekeeper.store.vault import Vault

PLAINTEXT_WARNING = (
    "The export file is NOT encrypted: anyone who can read it sees your whole profile, "
    "including the people you buy for. Keep it somewhere private and delete it when done."
)


def check_export_path(path: str) -> None:
    """Refuse a path an export could not be written to (a folder, a missing parent): called
    before the passphrase is asked, so a typo costs nothing."""
    from pathlib import Path

    from profilekeeper.store.transfer import check_output_path

    check_output_path(Path(path).expanduser())


def write_export(path: str, text: str) -> None:
    """Write an export readable by its owner only (mode 0600): it holds names and dates."""
    from pathlib import Path

    from profilekeeper.store.transfer import write_private_file

    write_private_file(Path(path), text)


def export_json_text(
    vault: Vault, *, skip_corrupted: bool = False, left_out: dict[str, int] | None = None
) -> str:
    """The whole vault as decrypted JSON; with ``skip_corrupted``, unreadable records (and what
    belonged to them) are left out and counted in ``left_out``.

    No byte of it is a control: what a shop sent is made plain (``plain_shop_text``), and the
    owner's own text is written whole, each character that does not print (an escape, a C1 or
    bidi control, a zero-width space) as a ``\\u`` escape (``plain_text.json_dumps``), so it
    imports back exactly. Formatted as ``store.transfer.export_json`` writes it.
    """
    from profilekeeper.plain_text import json_dumps
    from profilekeeper.store.transfer import export_data

    data = export_data(vault, skip_corrupted=skip_corrupted, left_out=left_out)
    plain_shop_text(data["records"])
    return json_dumps(data, indent=2, sort_keys=True) + "\n"


SHOP_DOCUMENT_TEXT = 10_000
"""The cap on one string of a shop's discovery document or terms, as exported."""


def plain_shop_text(records: dict[str, list[dict[str, Any]]]) -> None:
    """Make the text shops sent plain in an export's ``records`` (in place): suggestions as the
    pipeline shows them (``suggestions.sanitize.plain_row``), a shop's name as shown, its id,
    discovery document and terms, and the shop name in the activity log.

    Kept whole (and so only escaped): the activity log's ``payload`` (the owner's own data, as
    sent) and ``response`` (the shop's echo of it), which are a record of the exact bytes, and
    the consent receipt, which this program wrote.
    """
    from profilekeeper.suggestions.context import SHOP_NAME
    from profilekeeper.suggestions.sanitize import plain_row, plain_value
    from profilekeeper.sync.sanitize import clean_text
    from profilekeeper.sync.suggestion_limits import MAX_ID

    def name(text: Any) -> Any:
        return " ".join(clean_text(text, limit=SHOP_NAME).split()) if isinstance(text, str) \
            else text  # fmt: skip

    records["suggestions"] = [plain_row(row) for row in records.get("suggestions", [])]
    for shop in records.get("retailers", []):
        shop["name"] = name(shop.get("name"))
        shop["shop_id"] = plain_value(shop.get("shop_id"), MAX_ID)
        for document in ("discovery", "terms"):
            shop[document] = plain_value(shop.get(document), SHOP_DOCUMENT_TEXT)
    for entry in records.get("share_records", []):
        entry["shop_name"] = name(entry.get("shop_name"))


def read_import(path: str) -> str:
    """The text of a JSON export, read before the vault is unlocked."""
    from pathlib import Path

    from profilekeeper.store.transfer import read_export_file

    return read_export_file(Path(path))


def import_json_text(vault: Vault, text: str, *, replace: bool = False) -> dict[str, int]:
    """Load a JSON export in one transaction; ``replace`` empties the vault first."""
    from profilekeeper.store.transfer import import_json

    return import_json(vault, text, replace=replace)


def export_json_file(vault: Vault, path: str) -> str:
    write_export(path, export_json_text(vault))
    return "Exported the vault as JSON (readable by you only)."


def import_json_file(vault: Vault, path: str) -> str:
    counts = import_json_text(vault, read_import(path))
    return f"Imported {sum(counts.values())} records."


def calendar_of(vault: Vault, *, names: bool = True) -> tuple[bytes, int, int]:
    """The .ics calendar of every occasion: its bytes, the occasions in it, records unreadable."""
    from profilekeeper.calendar_ics import build_calendar
    from profilekeeper.lead_times import Leads

    occasions, people = vault.list(Occasion), vault.list(Person)
    # An event shows its occasion, its person's name and, on 29 February, a setting.
    when = {cls: vault.last_changed(cls) for cls in (Occasion, Person, Profile)}
    profile_changed = when[Profile].get("me", 0)
    leads = Leads(vault.profile().settings, people)
    # ... and lead days that may come from the owner's settings (by kind, or for all).
    from_settings = ("kind", "default")
    changed = {
        o.id: max(when[Occasion].get(o.id, 0), when[Person].get(o.person_id or "", 0),
                  profile_changed if (o.month, o.day) == (2, 29)
                  or leads.source(o) in from_settings else 0)
        for o in occasions
    }  # fmt: skip
    data = build_calendar(
        occasions, people, names=names, leap_day=leap_day(vault), changed=changed, leads=leads
    )
    return data, len(occasions), len(occasions.corrupted) + len(people.corrupted)


def export_ics_file(vault: Vault, path: str, *, names: bool = True) -> str:
    data, written, _ = calendar_of(vault, names=names)
    write_export(path, data.decode("utf-8"))  # names and dates: owner-only
    return f"Exported the calendar of {written} occasion(s)."


def import_contacts_report(vault: Vault, path: str) -> ImportReport:
    """Import a vCard file, or a vdir (a folder of ``.vcf`` files, one card each)."""
    from pathlib import Path

    from profilekeeper.contacts import import_vcard
    from profilekeeper.vdir import import_vdir

    where = Path(path).expanduser()
    if where.is_dir():
        return import_vdir(vault, where)
    with where.open("rb") as stream:
        return import_vcard(vault, stream)


def import_contacts_file(vault: Vault, path: str) -> str:
    return import_contacts_report(vault, path).summary()


def check_vdir_path(path: str) -> None:
    """Refuse a folder a vdir export could not be written to, before the passphrase is asked:
    a path that is something other than a folder, or a missing parent."""
    from pathlib import Path

    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"cannot write a vdir to {path}: it is not a folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise InvalidInput(f"cannot write a vdir to {path}: {folder.parent} is not a folder")


def export_vdir(vault: Vault, path: str, *, names: bool = True) -> tuple[int, int, int]:
    """Write a vdir (``vdir.py``) to the folder ``path``: one 0600 ``.vcf`` per person, each
    written atomically, in a folder made private (0700). Files an earlier export wrote for people
    no longer in the vault are removed; a card something else wrote is never written over
    (InvalidInput, before anything is written). Returns the cards written, the files removed
    and the records that could not be read."""
    import os
    from pathlib import Path

    from profilekeeper.store.transfer import write_private_file
    from profilekeeper.vdir import is_ours, vcf_files, vdir_cards

    folder = Path(path).expanduser()
    check_vdir_path(path)
    people, occasions = vault.list(Person), vault.list(Occasion)
    cards = vdir_cards(people, occasions, names=names)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # an existing folder too: its file names are UIDs
        existing = {p.name: p for p in vcf_files(folder)}
        foreign = [n for n, p in existing.items() if n in cards and not is_ours(p)]
        if foreign:
            raise InvalidInput(f"{path} holds {len(foreign)} card(s) profilekeeper did not write "
                               "under the names it would use; export into another folder")
        for name, text in cards.items():
            write_private_file(folder / name, text)
        stale = [p for n, p in existing.items() if n not in cards and is_ours(p)]
        for old in stale:
            old.unlink()
    except OSError as error:
        raise InvalidInput(f"cannot write the vdir {path}: {error.strerror}") from None
    return len(cards), len(stale), len(people.corrupted) + len(occasions.corrupted)


def export_vdir_folder(vault: Vault, path: str, *, names: bool = True) -> str:
    written, removed, _ = export_vdir(vault, path, names=names)
    gone = f"; removed {removed} left from an earlier export" if removed else ""
    return f"Exported {written} people as vCards (readable by you only){gone}."
