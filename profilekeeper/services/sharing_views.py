"""What the Sharing and Activity screens show, read from either store as plain values.

No Textual, no HTTP: the screens render these; the exchanges themselves (connect, grant,
preview, sync, forget) are the sharing services'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from profilekeeper.model import Grant, Person, Retailer, ShareRecord, ShopStatus
from profilekeeper.services.views import Unreadable, VaultReader, unreadable


class Choice(Protocol):
    """A slice the owner could grant (``profilekeeper.sync.slice_choices.SliceChoice``)."""

    @property
    def slice(self) -> str: ...
    @property
    def person_id(self) -> str | None: ...
    @property
    def label(self) -> str: ...
    @property
    def description(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ShopColumn:
    """A connected shop, as the Sharing screen names it (its name is the shop's own text)."""

    id: str
    name: str
    status: ShopStatus
    terms: str
    """Its terms on one line: how long it keeps data, what for."""
    last: ShareRecord | None
    """The newest exchange with it."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One shop × one slice."""

    granted: bool
    until: datetime | None = None
    accepted: bool = True
    """The shop's discovery lists the slice: a grant it does not accept is never sent."""


@dataclass(frozen=True, slots=True)
class SliceRow:
    slice: str
    person_id: str | None
    label: str
    description: str
    cells: dict[str, Cell] = field(default_factory=dict)
    """By shop id."""

    @property
    def key(self) -> str:
        return f"{self.slice}:{self.person_id or ''}"


@dataclass(frozen=True, slots=True)
class SharingGrid:
    shops: list[ShopColumn]
    rows: list[SliceRow]
    unreadable: tuple[Unreadable, ...] = ()
    """Shops, grants and share records that could not be opened (marked in the shops list).
    A grant that cannot be opened is not in the grid, and sends nothing: the payload builder
    cannot read it either."""


def sharing_grid(source: VaultReader, choices: Sequence[Choice], now: datetime) -> SharingGrid:
    """The shops (by name) × the slices the owner could grant, with what is granted now."""
    listings = source.list(Retailer), source.list(ShareRecord), source.list(Grant)
    shops = sorted(listings[0], key=lambda r: (r.name.casefold(), r.id))
    newest: dict[str, ShareRecord] = {}
    for record in listings[1]:
        if record.retailer_id not in newest or _when(record) > _when(newest[record.retailer_id]):
            newest[record.retailer_id] = record
    granted: dict[tuple[str, str, str | None], Grant] = {}
    for grant in listings[2]:
        if grant.revoked_at is None and (grant.until is None or grant.until > now):
            granted[(grant.retailer_id, grant.slice, grant.person_id)] = grant
    rows = []
    for choice in choices:
        cells = {}
        for shop in shops:
            found = granted.get((shop.id, choice.slice, choice.person_id))
            cells[shop.id] = Cell(found is not None, found.until if found else None,
                                  accepts(shop.discovery, choice.slice))
        rows.append(SliceRow(choice.slice, choice.person_id, choice.label, choice.description,
                             cells))
    columns = [ShopColumn(s.id, s.name, s.status, terms_line(s.terms or
                          s.discovery.get("terms", {})), newest.get(s.id)) for s in shops]
    return SharingGrid(columns, rows, unreadable(*listings))


def accepts(discovery: dict[str, Any], slice_name: str) -> bool:
    """Whether a shop's discovery document lists ``slice_name`` (``people``: any person)."""
    from profilekeeper.sync.protocol import slice_accepted

    wire = "people.x" if slice_name == "people" else slice_name  # a person's ref is per shop
    return slice_accepted(wire, list(discovery.get("slices_accepted", [])))


def terms_line(terms: dict[str, Any]) -> str:
    """A shop's terms, in a few words."""
    if not terms:
        return "terms unknown"
    parts = [f"keeps {terms.get('retention_days', '?')} days"]
    if purposes := terms.get("purposes"):
        parts.append(", ".join(str(p) for p in purposes))
    if terms.get("resale") or terms.get("third_party_sharing"):
        parts.append("resells or shares")
    return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ActivityLog:
    """The activity log, newest first, and every shop it names (forgotten ones too)."""

    records: list[ShareRecord]
    shops: list[tuple[str, str]]
    """(retailer id, the name it was last known by), by name."""
    unreadable: tuple[Unreadable, ...] = ()
    """Records that could not be opened (the screen marks each in the list)."""
    whom: dict[str, dict[str, str]] = field(default_factory=dict)
    """By shop, the ref each person is known to it by, to their name: a record names a person's
    slice by the ref sent (``people.<ref>``), which says nothing to the shopper."""

    def slices(self, record: ShareRecord) -> list[str]:
        """The record's slices as the shopper knows them: ``people: NAME`` for a person still
        here (the ref as sent otherwise: a person removed since, a shop forgotten)."""
        refs = self.whom.get(record.retailer_id, {})
        return [f"people: {refs[ref]}" if s.startswith(_PERSON) and (ref := s[len(_PERSON):])
                in refs else s for s in record.slices]  # fmt: skip

    def of_shop(self, retailer_id: str | None) -> list[ShareRecord]:
        """The records of one shop (None or "": every shop's)."""
        if not retailer_id:
            return self.records
        return [r for r in self.records if r.retailer_id == retailer_id]


def activity_view(source: VaultReader) -> ActivityLog:
    """Every activity record, newest first, as the Activity screen shows them (the CLI's
    ``share log``: services.activity.activity_log)."""
    listing = source.list(ShareRecord)
    records = sorted(listing, key=_when, reverse=True)
    names: dict[str, str] = {}
    for record in reversed(records):  # oldest first: the newest name wins
        names[record.retailer_id] = record.shop_name or names.get(record.retailer_id, "")
    shops = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    return ActivityLog(records, shops, unreadable(listing), _whom(source, records))


_PERSON = "people."
"""A person's slice as sent: ``people.<ref>``."""


def _whom(source: VaultReader, records: Sequence[ShareRecord]) -> dict[str, dict[str, str]]:
    """For each shop the log sent a person's slice to, and that is still connected, its ref of
    every person to their name."""
    from profilekeeper.sync.refs import person_ref

    sent_people = {r.retailer_id for r in records if any(s.startswith(_PERSON) for s in r.slices)}
    if not sent_people:
        return {}
    people = source.list(Person)
    return {shop.id: {person_ref(shop.ref_key, p.id): p.name for p in people}
            for shop in source.list(Retailer) if shop.id in sent_people and shop.ref_key}


def _when(record: ShareRecord) -> tuple[datetime, str]:
    return (record.sent_at, record.id)


def slices_line(slices: Sequence[str], width: int = 40) -> str:
    """The slices of a record on one line, cut to ``width``."""
    line = ", ".join(slices)
    return line if len(line) <= width else line[: width - 1] + "…"
