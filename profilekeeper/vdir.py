"""People and their dates as a vdir: a flat folder of ``.vcf`` files, one card per person, as
vdirsyncer keeps an address book and khard (contacts) and khal (``type = birthdays``) read it.

Choices, checked against the Debian packages khal 0.10 and khard 0.18 (tests run both):

- ``VERSION:4.0``: the only version with year-less dates (``BDAY:--0315``); khard writes and
  reads them in 4.0 only, and khal reads ``--MMDD`` (not ``--MM-DD``). Known years are
  ``YYYYMMDD``. Both tools take an unknown year for 1900, which has no 29 February, so neither
  shows a year-less 29 February birthday (khal warns); it is still written as RFC 6350 has it.
- ``BDAY`` is the birthday, ``ANNIVERSARY`` the anniversary; any other yearly occasion is an
  Apple-style ``itemN.X-ABDATE`` with an ``X-ABLabel`` (its label, else its kind), which khal
  shows as "Sam's Name day". One-off occasions are left out: a card's dates recur.
- ``UID`` is the person's ``contact_uid`` (the card they were imported from), else
  ``<person id>@profilekeeper`` (``contacts.derived_uid``), which an import matches back to the
  person; the file is named after the UID when it is a safe file name, else after its hash, so
  the same person always lands in the same file.
- ``names=False`` (``--names-off``), for a folder others can see: ``FN`` is the relationship (or
  "Contact") and the initials, as in the ``.ics`` export without names (``Sister (A. L.)``),
  birth years and labels are left out, and the UID is always the derived one (a phone's UID
  could be matched with another copy of the address book).
- ``PRODID`` marks the files as profilekeeper's: an export replaces only its own files and
  removes those of people no longer there, and never writes over a card something else made.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from profilekeeper.contacts import (
    MAX_CARDS,
    Contact,
    ContactStore,
    ImportReport,
    derived_uid,
    import_found,
    iter_contacts,
)
from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion, Person
from profilekeeper.plain_text import one_line
from profilekeeper.vcard_parse import Skipped
from profilekeeper.vcard_stream import VcardLines

PRODID = "-//profilekeeper//vdir export//EN"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,119}")
_FOLD_AT = 75  # octets (RFC 6350 §3.2)


def _escape(text: str) -> str:
    """``text`` as a vCard value: controls, bidi and zero-width characters gone (vCard has no
    escape for them; ``plain_text.one_line``), then ``\\``, ``,`` and ``;`` escaped."""
    text = one_line(text)
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """``line`` folded at 75 octets without cutting a UTF-8 character."""
    out, piece, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > _FOLD_AT:
            out.append(piece)
            piece, size = " ", 1
        piece += ch
        size += width
    return "\r\n".join([*out, piece])


def file_name(uid: str) -> str:
    return f"{uid}.vcf" if _SAFE_NAME.fullmatch(uid) else \
        hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32] + ".vcf"  # fmt: skip


def _date(occasion: Occasion, *, names: bool) -> str:
    if occasion.year is not None and names:
        return f"{occasion.year:04d}{occasion.month:02d}{occasion.day:02d}"
    return f"--{occasion.month:02d}{occasion.day:02d}"


def vcard(person: Person, occasions: Iterable[Occasion], *, names: bool = True) -> str:
    """The vCard 4.0 text of ``person`` and their yearly ``occasions`` (see the module doc)."""
    uid = (person.contact_uid or derived_uid(person)) if names else derived_uid(person)
    if names:
        shown = person.name
    else:
        from profilekeeper.calendar_ics import initials  # not icalendar's import for the rest

        who = initials(person.name)
        shown = (person.relationship.strip() or "Contact").capitalize() + f" ({who})" * bool(who)
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"PRODID:{PRODID}", f"UID:{_escape(uid)}",
             f"FN:{_escape(shown)}"]
    items = 0
    taken: set[str] = set()
    for o in sorted((o for o in occasions if o.yearly),
                    key=lambda o: (o.kind != "birthday", o.kind != "anniversary", o.kind,
                                   o.label, o.month, o.day)):  # fmt: skip
        if o.kind in ("birthday", "anniversary") and not o.label and o.kind not in taken:
            taken.add(o.kind)
            lines.append(f"{'BDAY' if o.kind == 'birthday' else 'ANNIVERSARY'}:"
                         + _date(o, names=names))
            continue
        items += 1
        label = (o.label or o.kind) if names else ("date" if o.kind == "other" else o.kind)
        lines += [f"item{items}.X-ABDATE:{_date(o, names=names)}",
                  f"item{items}.X-ABLabel:{_escape(label)}"]
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def vdir_cards(people: Iterable[Person], occasions: Iterable[Occasion], *,
               names: bool = True) -> dict[str, str]:
    """File name → card text, for each person (a second person with the same UID is named by
    their derived UID instead, so no one's file is written over by another's)."""
    theirs: dict[str, list[Occasion]] = {}
    for occasion in occasions:
        theirs.setdefault(occasion.person_id or "", []).append(occasion)
    cards: dict[str, str] = {}
    for person in sorted(people, key=lambda p: p.id):
        text = vcard(person, theirs.get(person.id, ()), names=names)
        name = file_name((person.contact_uid or derived_uid(person)) if names
                         else derived_uid(person))  # fmt: skip
        if name in cards:
            alone = Person(person.name, person.relationship, id=person.id)  # no contact_uid
            text = vcard(alone, theirs.get(person.id, ()), names=names)
            name = file_name(derived_uid(person))
        cards[name] = text
    return cards


def is_ours(path: Path) -> bool:
    """Whether the card in ``path`` was written by a vdir export (its PRODID, near the top)."""
    with path.open("rb") as stream:
        return f"PRODID:{PRODID}".encode() in stream.read(4096)


def vcf_files(folder: Path) -> list[Path]:
    """The cards of a vdir: its ``.vcf`` files (not hidden ones, not in subfolders), by name."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() == ".vcf" and not p.name.startswith(".") and p.is_file())


def import_vdir(vault: ContactStore, folder: Path) -> ImportReport:
    """``contacts.import_contacts`` from every card of a vdir (``vcf_files``), one file open at
    a time; a file that cannot be read (removed meanwhile by a sync) is skipped and said so."""
    files = vcf_files(folder)
    if len(files) > MAX_CARDS:
        raise InvalidInput(f"the folder holds more than {MAX_CARDS:,} cards; import it in parts")
    report = ImportReport(files=len(files))

    def contacts() -> Iterator[Contact]:
        for path in files:
            try:
                with path.open("rb") as stream:
                    lines = VcardLines(stream)
                    yield from iter_contacts(lines, report.skipped, file=path.name)
            except OSError as error:
                report.skipped.append(Skipped(f"cannot be read ({error.strerror}); skipped",
                                              file=path.name))
                continue
            if report.encoding == "UTF-8":
                report.encoding = lines.encoding

    return import_found(vault, contacts(), report)
