"""Importing people, birthdays and anniversaries from vCard 3.0 and 4.0 files (``vobject``).

The file is cut into cards first and each card is parsed alone, so one broken card is skipped
with a message ("card 3: …") and the rest still import; a date that cannot be read is left
out (with a message) and the rest of its card is kept. Dates come in the forms exporters
really write: ``1985-03-15``, ``19850315``, date-times, year-less ``--0315`` and ``--03-15``
(vCard 4.0, Google), and Apple's ``X-APPLE-OMIT-YEAR=1604`` (a placeholder year meaning
"unknown"). Anniversaries come from ``ANNIVERSARY`` (4.0), ``X-ANNIVERSARY``,
``X-MS-ANNIVERSARY``, ``X-EVOLUTION-ANNIVERSARY`` and Apple's labelled ``itemN.X-ABDATE``;
other labelled Apple dates become occasions of kind ``other`` with their label.

A re-import updates instead of duplicating: a card matches the person with its ``UID``
(``Person.contact_uid``), else the person with the same name ignoring case and spacing, and an
occasion of the same kind (and label) for that person is updated in place. A later card in the
same file for a person an earlier card brought is merged into them, and said so. Within a card,
a second birthday (or other date of the same kind) that differs is left out, with a message.

Files come in the encodings exporters write (``vcard_stream.VcardLines``): UTF-8 with or without a
byte-order mark, UTF-16 with one (Windows "Unicode"), else Windows-1252 (old Outlook), where a
line's own ``CHARSET=`` parameter wins.

A file is read as a stream (``import_vcard``): lines are decoded as they are read, each card is
cut out (``vcard_stream``), parsed and turned into a small ``Contact`` before the next is read,
so memory does not grow with the file. Only the properties read here (``vcard_stream.USED``) are
kept for parsing: a photo is most of a big card, and every other line costs vobject time and
memory for nothing. A card whose
kept text is still over ``MAX_CARD_CHARS`` is skipped, said so by position, and a file of over
``MAX_CARDS`` cards is refused whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import islice
from typing import Any, BinaryIO, Protocol

from profilekeeper import validation
from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion, PartialDate, Person
from profilekeeper.vcard_stream import (
    ANNIVERSARY_NAMES,
    LINE_END,
    MAX_CARD_CHARS,
    VcardLines,
    split_cards,
    without_mark,
)

APPLE_UNKNOWN_YEAR = 1604
_DATE = re.compile(r"^(?:(\d{4})|--)-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
class CardError(ValueError):
    """A card that cannot be used; the message names no personal data."""


@dataclass(frozen=True, slots=True)
class ContactDate:
    kind: str
    date: PartialDate
    label: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """What one card gives us."""

    name: str
    uid: str
    dates: tuple[ContactDate, ...]
    card: int = 0
    """Its place in the file (1 for the first card), for messages."""


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    occasions_added: int = 0
    occasions_updated: int = 0
    skipped: list[str] = field(default_factory=list)
    """What was skipped, by card position: ``card 3: it has no name``."""
    merged: list[str] = field(default_factory=list)
    """Cards for a person an earlier card in the same file brought already."""
    encoding: str = "UTF-8"
    """How the file was read; named in the summary when not UTF-8, so odd letters have a cause."""

    def summary(self) -> str:
        read_as = "" if self.encoding == "UTF-8" else f" The file was read as {self.encoding}."
        return (
            f"Imported contacts: {self.added} people added, {self.updated} matched; "
            f"{self.occasions_added} dates added, {self.occasions_updated} updated; "
            f"{len(self.skipped)} card(s) or date(s) skipped"
            + (f"; {len(self.merged)} repeated card(s) merged" if self.merged else "")
            + f".{read_as}"
        )


MAX_CARDS = 50_000
"""A file with more cards is refused whole: every person imported is held, with their dates,
until the one transaction commits (~5 KB each, measured), so this bounds the import's memory
where the file's size does not (the rest streams through in constant memory). iCloud holds at
most 50,000 contacts, Google 25,000."""
def parse_vcard_date(value: str, omit_year: str | None = None) -> PartialDate:
    """A vCard date in any of the forms exporters write; CardError if it is not one."""
    match = _DATE.match(value.strip())
    if not match:
        raise CardError("a date is in a form profilekeeper cannot read")
    year_text, month, day = match.groups()
    year = int(year_text) if year_text else None
    if year is not None and (year == APPLE_UNKNOWN_YEAR or str(year) == omit_year):
        year = None
    try:
        date(2000 if year is None else year, int(month), int(day))
    except ValueError:
        raise CardError("a date does not exist in the calendar") from None
    return PartialDate(int(month), int(day), year)


def _name_of(card: Any) -> str:
    fn = getattr(card, "fn", None)
    name = str(fn.value) if fn is not None else ""
    if not name.strip() and (n := getattr(card, "n", None)) is not None:
        parts = (n.value.prefix, n.value.given, n.value.additional, n.value.family)
        name = " ".join(" ".join(p) if isinstance(p, list) else str(p) for p in parts if p)
    return _one_line(name)


def _one_line(text: str) -> str:
    """``text`` with runs of spaces and control characters as one space.

    A card is someone else's file: an escape sequence in a name would recolour or move the
    cursor of the terminal that ``remind`` prints it to, and is invalid in a calendar export.
    """
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def _dates_of(card: Any, problems: list[str]) -> list[ContactDate]:
    """The card's dates; each one that cannot be read adds a line to ``problems`` instead."""
    labels = {line.group.casefold(): _one_line(str(line.value)) for line in card.lines()
              if line.name == "X-ABLABEL" and line.group}  # fmt: skip
    found: list[ContactDate] = []
    for line in card.lines():
        if line.name == "BDAY":
            kind, label = "birthday", ""
        elif line.name in ANNIVERSARY_NAMES:
            kind, label = "anniversary", ""
        elif line.name == "X-ABDATE":
            raw = labels.get((line.group or "").casefold(), "")
            plain = m.group(1) if (m := _APPLE_LABEL.match(raw)) else raw
            if plain.casefold() == "anniversary":
                kind, label = "anniversary", ""
            else:
                kind, label = "other", plain if plain.casefold() != "other" else ""
        else:
            continue
        try:
            if any(v.casefold() == "text" for v in line.params.get("VALUE", [])):
                raise CardError("a date is free text (VALUE=text)")
            omit = line.params.get("X-APPLE-OMIT-YEAR", [None])[0]
            found.append(ContactDate(kind, parse_vcard_date(str(line.value), omit), label))
        except CardError as error:
            problems.append(f"{error}; that date was left out")
    return _first_of_each(found, problems)


def _first_of_each(found: list[ContactDate], problems: list[str]) -> list[ContactDate]:
    """One date per kind and label: a person has one birthday, so a second one that differs
    is left out, and said so, instead of silently replacing the first."""
    kept: dict[tuple[str, str], ContactDate] = {}
    for date_ in found:
        key = (date_.kind, date_.label.casefold())
        first = kept.setdefault(key, date_)
        if not _same_day(first.date, date_.date):
            noun = date_.kind if not date_.label else "labelled date"
            problems.append(f"a second, different {noun}; the first one was kept")
        elif first.date.year is None:  # the same day, once with its year: keep the year
            kept[key] = date_
    return list(kept.values())


def _same_day(a: PartialDate, b: PartialDate) -> bool:
    """The same day of the year, and the same year where both have one."""
    return (a.month, a.day) == (b.month, b.day) and (None in (a.year, b.year) or a.year == b.year)


def iter_contacts(lines: Iterable[str], skipped: list[str]) -> Iterator[Contact]:
    """Each usable card in ``lines`` as it is read; a message for each card (or date) that is
    skipped goes to ``skipped``. Raises InvalidInput past ``MAX_CARDS`` cards."""
    import vobject

    number = 0
    for number, chunk in enumerate(split_cards(without_mark(lines)), start=1):
        if number > MAX_CARDS:
            raise InvalidInput(f"the file holds more than {MAX_CARDS:,} cards; import it in "
                               "parts")
        if chunk is None:
            skipped.append(f"card {number}: its names and dates take more than "
                           f"{MAX_CARD_CHARS // 1024} KiB")
            continue
        try:
            card = vobject.readOne(chunk, ignoreUnreadable=False)
            name = _name_of(card)
            if not name:
                raise CardError("it has no name")
            uid = getattr(card, "uid", None)
            problems: list[str] = []
            dates = tuple(_dates_of(card, problems))
            skipped.extend(f"card {number}: {problem}" for problem in problems)
        except CardError as error:
            skipped.append(f"card {number}: {error}")
            continue
        except Exception:  # noqa: BLE001 - vobject raises many types; the card's text stays out
            skipped.append(f"card {number}: it is not a readable vCard")
            continue
        yield Contact(name, str(uid.value).strip() if uid else "", dates, number)
    if number == 0:
        skipped.append("the file holds no vCard (BEGIN:VCARD … END:VCARD)")


def read_contacts(text: str) -> tuple[list[Contact], list[str]]:
    """Every usable card in ``text``, and a message for each card that was skipped."""
    skipped: list[str] = []
    return list(iter_contacts(LINE_END.split(text), skipped)), skipped


class _Store(Protocol):
    def list(self, cls: type[Any], **where: Any) -> Any: ...
    def save_all(self, records: Any) -> None: ...
    def transaction(self) -> Any: ...


def import_contacts(vault: _Store, source: str | Iterable[str],
                    encoding: str = "UTF-8") -> ImportReport:
    """Add or update people and their occasions from vCard text, or its lines as they are read
    (``VcardLines``), in one transaction: nothing is written until the last card is read."""
    report = ImportReport(encoding=encoding)
    lines = LINE_END.split(source) if isinstance(source, str) else source
    contacts = iter_contacts(lines, report.skipped)
    people = list(vault.list(Person))
    by_uid = {p.contact_uid: p for p in people if p.contact_uid}
    by_name = {p.name.casefold(): p for p in people}
    occasions: dict[str, list[Occasion]] = {}
    for occasion in vault.list(Occasion):
        occasions.setdefault(occasion.person_id or "", []).append(occasion)
    changed_people: dict[str, Person] = {}
    changed_occasions: dict[str, Occasion] = {}
    first_card: dict[str, int] = {}  # person id → the card in this file that brought them
    for contact in contacts:
        try:  # the rules every way in applies (validation.py)
            validation.entered(Person(name=contact.name, contact_uid=contact.uid))
        except validation.Refused as refused:
            report.skipped.append(f"card {contact.card}: it cannot be used ({refused})")
            continue
        person = by_uid.get(contact.uid) if contact.uid else None
        person = person or by_name.get(contact.name.casefold())
        if person is not None and person.id in first_card:
            # Exported twice (two accounts, a merged file): one person, the later card's dates.
            report.merged.append(f"card {contact.card}: the same person as card "
                                 f"{first_card[person.id]}; merged, its dates kept")
        elif person is None:
            person = Person(name=contact.name, contact_uid=contact.uid)
            report.added += 1
            changed_people[person.id] = person
        else:
            report.updated += 1
        first_card.setdefault(person.id, contact.card)
        if contact.uid and not person.contact_uid:
            person.contact_uid = contact.uid
            changed_people[person.id] = person
        by_name[person.name.casefold()] = person
        if person.contact_uid:
            by_uid[person.contact_uid] = person
        theirs = occasions.setdefault(person.id, [])
        for found in contact.dates:
            try:
                _merge_date(found, person, theirs, changed_occasions, report)
            except validation.Refused as refused:
                report.skipped.append(f"card {contact.card}: a date cannot be used ({refused}); "
                                      "that date was left out")  # fmt: skip
    with vault.transaction():
        for changed in (changed_people, changed_occasions):  # people first: occasions refer to them
            for batch in _batches(changed.values()):  # one batch's sealed rows in memory at once
                vault.save_all(batch)
    return report


def _merge_date(found: ContactDate, person: Person, theirs: list[Occasion],
                changed: dict[str, Occasion], report: ImportReport) -> None:
    """Add or update the person's occasion for ``found``; validation.Refused, changing nothing,
    if the date breaks the rules (a year past 9000, a birthday in a future year)."""
    d = found.date
    key = (found.kind, found.label.casefold())
    same = next((o for o in theirs if (o.kind, o.label.casefold()) == key), None)
    if same is None:
        occasion = validation.entered(Occasion(found.kind, d.month, d.day, d.year,
                                               person_id=person.id, label=found.label))
        theirs.append(occasion)
        changed[occasion.id] = occasion
        report.occasions_added += 1
    else:
        # Keep a known year when the card no longer carries one (e.g. Apple's omit-year).
        wanted = (d.month, d.day, d.year if d.year is not None else same.year)
        if validation.real_date(*wanted):  # the kept year has no such day (29 February)
            wanted = (d.month, d.day, d.year)
        if (same.month, same.day, same.year) == wanted:
            return
        validation.entered(replace(same, month=d.month, day=d.day, year=wanted[2]))
        same.month, same.day, same.year = wanted
        if same.id not in changed:
            report.occasions_updated += 1
        changed[same.id] = same


def _batches(records: Iterable[Any], size: int = 1000) -> Iterator[list[Any]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def import_vcard(vault: _Store, stream: BinaryIO) -> ImportReport:
    """``import_contacts`` from a binary file as it is read: one card in memory at a time."""
    lines = VcardLines(stream)
    report = import_contacts(vault, lines)
    report.encoding = lines.encoding  # known once the last line is read
    return report
