"""Importing people, birthdays and anniversaries from vCard files (2.1, 3.0, 4.0) and vdirs.

Cards are read by ``vcard_parse``, which keeps every line it can read and says which it skipped
(by line number and property, never the value), so one bad line never costs a card its name and
dates. The name is ``FN`` (unescaped: ``Dr. Jo Doe\\, Jr.`` is one name), or, only when a card
has none, ``N``'s parts in reading order. Dates come in the forms exporters really write:
``1985-03-15``, ``19850315``, date-times, year-less ``--0315`` and ``--03-15`` (vCard 4.0,
Google), Apple's placeholder year 1604 and ``X-APPLE-OMIT-YEAR``; anniversaries from
``ANNIVERSARY`` (4.0), ``X-ANNIVERSARY``, ``X-MS-ANNIVERSARY``, ``X-EVOLUTION-ANNIVERSARY``,
``X-KADDRESSBOOK-X-Anniversary``, Apple's ``itemN.X-ABDATE`` labelled ``_$!<Anniversary>!$_``
and Android's ``X-ANDROID-CUSTOM`` events (type 1 anniversary, 3 birthday, 0 its own label);
other labelled dates become occasions of kind ``other`` with their label. A date that cannot be
read is left out, said so, and the rest of its card is kept.

A re-import updates instead of duplicating: a card matches the person with its ``UID``
(``Person.contact_uid``; for a UID a vdir export made, ``derived_uid``, the person it names),
else the person with the same name ignoring case and spacing, and an occasion of the same kind
(and label) for that person is updated in place. A later card for a person an earlier card in
the same import brought is merged into them, and said so. Within a card, a second birthday (or
other date of the same kind) that differs is left out, with a message.

A file is read as a stream (``import_vcard``, encodings in ``vcard_stream``): each card is read
and turned into a small ``Contact`` before the next is read, so memory does not grow with the
file; a file of over ``MAX_CARDS`` cards is refused whole. ``vdir.import_vdir`` reads a folder
of ``.vcf`` files through ``import_found``.
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
from profilekeeper.entered import entered
from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion, PartialDate, Person
from profilekeeper.vcard_parse import (
    ANNIVERSARY_NAMES,
    Card,
    Problems,
    Prop,
    Skipped,
    read_cards,
)
from profilekeeper.vcard_stream import LINE_END, VcardLines, without_mark

APPLE_UNKNOWN_YEAR = 1604
_DATE = re.compile(r"^(?:(\d{4})|--)-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_ANDROID_EVENT = "vnd.android.cursor.item/contact_event"
_ANDROID_KINDS = {"1": "anniversary", "3": "birthday", "2": "other", "0": "other"}
DERIVED_UID = "@profilekeeper"
"""The end of the UID a vdir export gives a person who has none of their own: their id, then
this; an import into the same vault so matches them by id (see ``person_id_of``)."""


class CardError(ValueError):
    """A card that cannot be used; the message names no personal data."""


@dataclass(frozen=True, slots=True)
class ContactDate:
    kind: str
    date: PartialDate
    label: str = ""
    line: int = 0
    property: str = ""
    """Where it was read, for messages."""


@dataclass(frozen=True, slots=True)
class Contact:
    """What one card gives us."""

    name: str
    uid: str
    dates: tuple[ContactDate, ...]
    card: int = 0
    """Its place in the file (1 for the first card), for messages."""
    line: int = 0
    file: str = ""
    """The file of a vdir it came from, for messages."""

    @property
    def where(self) -> str:
        return self.file or f"card {self.card}"


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    occasions_added: int = 0
    occasions_updated: int = 0
    skipped: Problems = field(default_factory=Problems)
    """Each line or card skipped, and why: ``line 12: BDAY: a date …; left out``."""
    merged: list[Skipped] = field(default_factory=list)
    """Cards for a person an earlier card in the same import brought already."""
    encoding: str = "UTF-8"
    """How the file was read; named in the summary when not UTF-8, so odd letters have a cause."""
    files: int = 0
    """The .vcf files read from a vdir (0 for a file)."""

    def summary(self) -> str:
        read_as = "" if self.encoding == "UTF-8" else f" The file was read as {self.encoding}."
        skipped = len(self.skipped) + self.skipped.more
        return (
            f"Imported contacts: {self.added} people added, {self.updated} matched; "
            f"{self.occasions_added} dates added, {self.occasions_updated} updated; "
            f"{skipped} line(s) or card(s) skipped"
            + (f"; {len(self.merged)} repeated card(s) merged" if self.merged else "")
            + (f" (from {self.files} .vcf files)" if self.files else "")
            + f".{read_as}"
        )

    def as_json(self) -> dict[str, Any]:
        """The report for ``--json``: counts, and each message with its parts."""
        def listed(items: Iterable[Skipped]) -> list[dict[str, Any]]:
            return [{"file": s.file or None, "card": s.card, "line": s.line,
                     "property": s.property or None, "reason": s.reason} for s in items]

        return {"people_added": self.added, "people_matched": self.updated,
                "dates_added": self.occasions_added, "dates_updated": self.occasions_updated,
                "skipped": listed(self.skipped), "skipped_not_listed": self.skipped.more,
                "merged": listed(self.merged), "encoding": self.encoding,
                "vcf_files": self.files}  # fmt: skip


MAX_CARDS = 50_000
"""A file with more cards is refused whole: every person imported is held, with their dates,
until the one transaction commits (~5 KB each, measured), so this bounds the import's memory
where the file's size does not (the rest streams through in constant memory). iCloud holds at
most 50,000 contacts, Google 25,000."""


def derived_uid(person: Person) -> str:
    return person.id + DERIVED_UID


def person_id_of(uid: str) -> str:
    """The person id in a UID ``derived_uid`` made, else ""."""
    return uid.removesuffix(DERIVED_UID) if uid.endswith(DERIVED_UID) else ""


def parse_vcard_date(value: str, omit_year: str | None = None) -> PartialDate:
    """A vCard date in any of the forms exporters write; CardError if it is not one."""
    match = _DATE.match(value.strip())
    if not match:
        raise CardError("a date in a form profilekeeper cannot read; left out")
    year_text, month, day = match.groups()
    year = int(year_text) if year_text else None
    if year is not None and (year == APPLE_UNKNOWN_YEAR or str(year) == omit_year):
        year = None
    try:
        date(2000 if year is None else year, int(month), int(day))
    except ValueError:
        raise CardError("a date that does not exist in the calendar; left out") from None
    return PartialDate(int(month), int(day), year)


def _name_of(card: Card) -> str:
    """``FN``, else (only then) ``N``'s parts: prefix, given, additional, family, suffix."""
    for prop in card.props:
        if prop.name == "FN" and (name := _one_line(prop.text())):
            return name
    for prop in card.props:
        if prop.name == "N":
            parts = (prop.components() + [""] * 5)[:5]
            family, given, additional, prefix, suffix = parts
            if name := _one_line(" ".join((prefix, given, additional, family, suffix))):
                return name
    return ""


def _one_line(text: str) -> str:
    """``text`` with runs of spaces and control characters as one space.

    A card is someone else's file: an escape sequence in a name would recolour or move the
    cursor of the terminal that ``remind`` prints it to, and is invalid in a calendar export.
    """
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def _kind_of(prop: Prop, labels: dict[str, str]) -> tuple[str, str, str] | None:
    """``(kind, label, date text)`` of a dated property, or None for any other property."""
    if prop.name == "BDAY":
        return "birthday", "", prop.text()
    if prop.name in ANNIVERSARY_NAMES:
        return "anniversary", "", prop.text()
    if prop.name == "X-ABDATE":
        raw = labels.get(prop.group.casefold(), "") if prop.group else ""
        plain = m.group(1) if (m := _APPLE_LABEL.match(raw)) else raw
        if plain.casefold() == "anniversary":
            return "anniversary", "", prop.text()
        return "other", plain if plain.casefold() != "other" else "", prop.text()
    if prop.name == "X-ANDROID-CUSTOM":
        parts = prop.components() + [""] * 4
        if parts[0] != _ANDROID_EVENT:
            return None
        kind = _ANDROID_KINDS.get(parts[2].strip(), "other")
        label = _one_line(parts[3]) if parts[2].strip() == "0" else ""
        return kind, label, parts[1]
    return None


def _dates_of(card: Card, problems: list[Skipped]) -> list[ContactDate]:
    """The card's dates; each one that cannot be read adds to ``problems`` instead."""
    labels = {p.group.casefold(): _one_line(p.text()) for p in card.props
              if p.name == "X-ABLABEL" and p.group}  # fmt: skip
    found: list[tuple[Prop, ContactDate]] = []
    for prop in card.props:
        if (dated := _kind_of(prop, labels)) is None:
            continue
        kind, label, value = dated
        try:
            if any(v.casefold() == "text" for v in prop.params.get("VALUE", [])):
                raise CardError("a date given as free text (VALUE=text); left out")
            date_ = parse_vcard_date(value, prop.param("X-APPLE-OMIT-YEAR"))
            found.append((prop, ContactDate(kind, date_, label, prop.line, prop.name)))
        except CardError as error:
            problems.append(Skipped(str(error), prop.line, prop.name))
    return _first_of_each(found, problems)


def _first_of_each(found: list[tuple[Prop, ContactDate]],
                   problems: list[Skipped]) -> list[ContactDate]:
    """One date per kind and label: a person has one birthday, so a second one that differs
    is left out, and said so, instead of silently replacing the first."""
    kept: dict[tuple[str, str], ContactDate] = {}
    for prop, date_ in found:
        key = (date_.kind, date_.label.casefold())
        first = kept.setdefault(key, date_)
        if not _same_day(first.date, date_.date):
            noun = date_.kind if not date_.label else "labelled date"
            problems.append(Skipped(f"a second, different {noun}; the first one was kept",
                                    prop.line, prop.name))
        elif first.date.year is None:  # the same day, once with its year: keep the year
            kept[key] = date_
    return list(kept.values())


def _same_day(a: PartialDate, b: PartialDate) -> bool:
    """The same day of the year, and the same year where both have one."""
    return (a.month, a.day) == (b.month, b.day) and (None in (a.year, b.year) or a.year == b.year)


def iter_contacts(lines: Iterable[str], skipped: list[Skipped], file: str = "",
                  ) -> Iterator[Contact]:
    """Each usable card in ``lines`` as it is read; each line or card skipped goes to
    ``skipped`` (naming ``file``, in a vdir). Raises InvalidInput past ``MAX_CARDS`` cards."""
    number = 0
    for card in read_cards(without_mark(lines)):
        number = card.number
        if number > MAX_CARDS:
            raise InvalidInput(f"the file holds more than {MAX_CARDS:,} cards; import it in "
                               "parts")
        problems = list(card.skipped)
        name = _name_of(card)
        dates = tuple(_dates_of(card, problems)) if name else ()
        for problem in sorted(problems, key=lambda p: p.line or 0):
            skipped.append(replace(problem, file=file))
        if not name:
            skipped.append(Skipped("it has no name; skipped", card.line,
                                   card=None if file else number, file=file))
            continue
        uid = next((u for p in card.props if p.name == "UID" and (u := _one_line(p.text()))),
                   "")
        yield Contact(name, uid, dates, number, card.line, file)
    if number == 0:
        skipped.append(Skipped("the file holds no vCard (BEGIN:VCARD … END:VCARD)", file=file))


def read_contacts(text: str) -> tuple[list[Contact], list[str]]:
    """Every usable card in ``text``, and a message for each line or card that was skipped."""
    skipped: list[Skipped] = []
    return list(iter_contacts(LINE_END.split(text), skipped)), [str(s) for s in skipped]


class ContactStore(Protocol):
    """What an import needs of a vault."""

    def list(self, cls: type[Any], **where: Any) -> Any: ...
    def save_all(self, records: Any) -> None: ...
    def transaction(self) -> Any: ...


def import_contacts(vault: ContactStore, source: str | Iterable[str],
                    encoding: str = "UTF-8") -> ImportReport:
    """Add or update people and their occasions from vCard text, or its lines as they are read
    (``VcardLines``), in one transaction: nothing is written until the last card is read."""
    report = ImportReport(encoding=encoding)
    lines = LINE_END.split(source) if isinstance(source, str) else source
    return import_found(vault, iter_contacts(lines, report.skipped), report)


def import_found(vault: ContactStore, contacts: Iterable[Contact],
                 report: ImportReport) -> ImportReport:
    """Add or update the people and occasions of ``contacts``, read as they come, in one
    transaction at the end; counts and messages go to ``report``."""
    people = list(vault.list(Person))
    by_uid = {p.contact_uid: p for p in people if p.contact_uid}
    by_id = {p.id: p for p in people}
    by_name = {p.name.casefold(): p for p in people}
    occasions: dict[str, list[Occasion]] = {}
    for occasion in vault.list(Occasion):
        occasions.setdefault(occasion.person_id or "", []).append(occasion)
    changed_people: dict[str, Person] = {}
    changed_occasions: dict[str, Occasion] = {}
    first_card: dict[str, str] = {}  # person id → where the card that brought them is
    for contact in contacts:
        card = None if contact.file else contact.card
        try:  # the rules every way in applies (validation.py)
            entered(Person(name=contact.name, contact_uid=contact.uid))
        except validation.Refused as refused:
            report.skipped.append(Skipped(f"it cannot be used ({refused}); skipped",
                                          contact.line, card=card, file=contact.file))
            continue
        person = (by_uid.get(contact.uid) or by_id.get(person_id_of(contact.uid))
                  if contact.uid else None)  # fmt: skip
        person = person or by_name.get(contact.name.casefold())
        if person is not None and person.id in first_card:
            # Exported twice (two accounts, a merged file): one person, the later card's dates.
            report.merged.append(Skipped(f"the same person as {first_card[person.id]}; merged, "
                                         "its dates kept", contact.line, card=card,
                                         file=contact.file))
        elif person is None:
            person = Person(name=contact.name, contact_uid=contact.uid)
            report.added += 1
            changed_people[person.id] = person
            by_id[person.id] = person
        else:
            report.updated += 1
        first_card.setdefault(person.id, contact.where)
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
                report.skipped.append(Skipped(f"a date cannot be used ({refused}); left out",
                                              found.line, found.property, file=contact.file))
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
        occasion = entered(Occasion(found.kind, d.month, d.day, d.year,
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
        entered(replace(same, month=d.month, day=d.day, year=wanted[2]))
        same.month, same.day, same.year = wanted
        if same.id not in changed:
            report.occasions_updated += 1
        changed[same.id] = same


def _batches(records: Iterable[Any], size: int = 1000) -> Iterator[list[Any]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def import_vcard(vault: ContactStore, stream: BinaryIO) -> ImportReport:
    """``import_contacts`` from a binary file as it is read: one card in memory at a time."""
    lines = VcardLines(stream)
    report = import_contacts(vault, lines)
    report.encoding = lines.encoding  # known once the last line is read
    return report
