"""What the screens show, read in one go from either store (the full one or the read-only one).

Plain values out, no Textual: the screens render them, tests check them without a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from profilekeeper.lead_times import Leads
from profilekeeper.model import (
    Gift,
    GiftStatus,
    Occasion,
    Person,
    Profile,
    Suggestion,
    SuggestionStatus,
)

if TYPE_CHECKING:
    from profilekeeper.errors import CorruptedRecord
    from profilekeeper.reminders import Due
    from profilekeeper.store.occasion_dates import DateIndex
    from profilekeeper.suggestions import Ranked

T = TypeVar("T")


class VaultReader(Protocol):
    """What screens read from: the full ``Vault``, or the ``ReadOnlyVault`` the app starts on
    (it shows Home, People and a person before SQLAlchemy has even been imported)."""

    def list(self, cls: type[T], **where: Any) -> Sequence[T]: ...

    def load(self, cls: type[T], **any_of: Collection[str]) -> Sequence[T]: ...

    def get(self, cls: type[T], record_id: str) -> T: ...

    def profile(self) -> Profile: ...

    def occasion_dates(self) -> DateIndex | None: ...


@dataclass(frozen=True, slots=True)
class HomeView:
    """Everything Home shows, read in one go (off the UI thread)."""

    profile: Profile
    upcoming: list[Due]
    due: list[Due]
    unreadable: tuple[Unreadable, ...] = ()
    """Records Home read that failed authentication (or hold values this version cannot use):
    shown as marked rows in their place."""
    damaged: tuple[str, ...] = ()
    """Tables of which some records could not be read at all (damaged pages of the file)."""
    greeting: str = ""
    """Home's first words (``home_greeting``)."""


def home_greeting(profile: Profile) -> str:
    """"Welcome back, NAME!" for a shopper who opted out (or has not answered yet), else "Hello".

    A first name in a greeting is all the personalization an opted-out shopper asked for (the
    ``greeting`` slice is all they share): the greeting is theirs, and it marks that level.
    """
    name = profile.display_name.strip()
    if profile.opted_in is True:
        return f"Hello, {name}." if name else "Hello."
    return f"Welcome back, {name}!" if name else "Welcome back!"


def home_view(source: VaultReader, today: date, days: int = 60) -> HomeView:
    """The greeting, the next ``days`` of occasions and the reminders nagging now (suggestions
    come after: ``suggestions_glance``)."""
    from profilekeeper import reminders
    from profilekeeper.store.occasion_dates import occasions_near

    profiles = source.list(Profile)
    profile = profiles[0] if profiles else Profile()
    leap = reminders.leap_day_setting(profile.settings)
    # The occasions in the window, and only the people and gifts they need.
    occasions = occasions_near(source, today, days, leap_day=leap)
    person_ids = {o.person_id for o in occasions if o.person_id}
    people = source.load(Person, id=person_ids)
    gifts = source.load(Gift, person_id=person_ids, occasion_id={o.id for o in occasions})
    listings = (profiles, occasions, people, gifts)
    leads = Leads(profile.settings, people)
    return HomeView(
        profile=profile,
        upcoming=reminders.upcoming(occasions, people, gifts, today, days, leap_day=leap,
                                    leads=leads),
        due=reminders.due(occasions, people, gifts, today, days, leap_day=leap, leads=leads),
        greeting=home_greeting(profile),
        unreadable=unreadable(*listings),
        damaged=_unreadable(listings)["damaged"],
    )


@dataclass(frozen=True, slots=True)
class SuggestionsGlance:
    """Home's line on suggestions: how many are new, and what comes next."""

    new: int
    """Shown (the pipeline let them through) and not yet seen through."""
    next_up: Ranked | None = None
    """The shopper's soonest new release or event still to come."""
    on: str = ""
    """Its day (ISO)."""


_DAY = {"release": "release_date", "event": "date"}


def suggestions_glance(source: VaultReader, today: date,
                       stamp: object = None) -> SuggestionsGlance:  # fmt: skip
    """New suggestions as the Suggestions screen shows them: through the pipeline, so an item a
    never-interest or rule hides is not counted (a raw count of stored ones would be); the
    read is kept for the screen under ``stamp`` (services.suggestions.read)."""
    from profilekeeper.services.suggestions import read

    # The pipeline reads every person, date and gift (~0.2 s of CPU on 1,000 people, while the
    # first keys are pressed): not when no stored suggestion is new, as it only hides some.
    if not any(s.status == SuggestionStatus.NEW for s in source.list(Suggestion)):
        return SuggestionsGlance(0)
    fresh = [r for r in read(source, today=today, stamp=stamp).shown
             if r.suggestion.status == SuggestionStatus.NEW]  # fmt: skip
    upcoming = [
        (when[:10], r) for r in fresh
        if r.person_id is None and (key := _DAY.get(r.suggestion.kind))
        and isinstance(when := r.suggestion.details.get(key), str)
        and when[:10] >= today.isoformat()
    ]  # fmt: skip
    if not upcoming:
        return SuggestionsGlance(len(fresh))
    on, first = min(upcoming, key=lambda pair: pair[0])  # the best ranked of a day's
    return SuggestionsGlance(len(fresh), first, on)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record a list holds but cannot show (it failed authentication, or holds a value this
    version cannot use): every list shows a marked row in its place, by table and id only."""

    table: str
    record_id: str
    why: str
    """A few plain words: what is wrong and what to do."""

    @property
    def ref(self) -> str:
        return f"{self.table}/{self.record_id}"

    @property
    def line(self) -> str:
        """The mark on one line: "⚠ unreadable record (gifts/ID): damaged — restore ..."."""
        return f"{UNREADABLE_MARK} ({self.ref}): {self.why}"

    def cells(self, columns: int) -> tuple[str, ...]:
        """The mark spread over a row of ``columns`` cells: the mark, the record, why."""
        if columns <= 1:
            return (self.line,)
        if columns == 2:
            return (UNREADABLE_MARK, f"{self.ref}: {self.why}")
        return (UNREADABLE_MARK, self.ref, *([""] * (columns - 3)), self.why)


UNREADABLE_MARK = "⚠ unreadable record"
DAMAGED_WHY = "damaged — restore from a backup"
UNUSABLE_WHY = "holds a value this version cannot use"


def unreadable(*listings: Sequence[Any]) -> tuple[Unreadable, ...]:
    """The records these listings could not open, one mark each (a damaged page, which names
    no record, is ``damage_notice``'s)."""
    return tuple(mark(c) for listing in listings for c in getattr(listing, "corrupted", ())
                 if c.record_id)  # fmt: skip


def mark(error: CorruptedRecord) -> Unreadable:
    """The mark of the record ``error`` (raised or reported by a read) names."""
    from profilekeeper.errors import DamagedRecord

    why = UNUSABLE_WHY if isinstance(error, DamagedRecord) else DAMAGED_WHY
    return Unreadable(error.table, error.record_id, why)


def unreadable_notice(marks: Sequence[Unreadable]) -> str:
    """What a screen says once when it marks rows: how many, and what to do (names no one)."""
    return (f"{len(marks)} record(s) could not be read and are marked in the list "
            f"({UNREADABLE_MARK}). To recover them, restore a backup.")  # fmt: skip


def _unreadable(listings: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """How many records failed authentication, and which tables have damaged pages."""
    from profilekeeper.store.damage import DamagedTable

    failed = [c for listing in listings for c in getattr(listing, "corrupted", ())]
    damaged = sorted({c.table for c in failed if isinstance(c, DamagedTable)})
    return {"unreadable": len(failed) - len(damaged), "damaged": tuple(damaged)}


def damage_notice(tables: Sequence[str]) -> str:
    """What a screen says when some tables could not be read in full."""
    from profilekeeper.store.damage import RESTORE

    return (f"The vault file is damaged (table {', '.join(tables)}): some records could not "
            f"be read and are not shown. To recover, {RESTORE}.")  # fmt: skip


def person_due(
    vault: VaultReader,
    person: Person,
    occasions: Sequence[Occasion],
    gifts: Sequence[Gift],
    today: date,
    days: int = 60,
) -> list[Due]:
    """What nags now for ``person``, from their records as the caller read them."""
    from profilekeeper import reminders

    return reminders.due(occasions, [person], gifts, today, days, leap_day=leap_day(vault),
                         leads=leads_for(vault, [person]))


def leads_for(vault: VaultReader, people: Sequence[Person]) -> Leads:
    """Lead days as the owner's settings and these people's own defaults make them."""
    return Leads(vault.profile().settings, people)


def leap_day(vault: VaultReader) -> str:
    """Where the owner wants 29 February in common years (their ``leap_day`` setting)."""
    from profilekeeper.reminders import leap_day_setting

    return leap_day_setting(vault.profile().settings)


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One line of the people list."""

    person: Person
    next_date: date | None
    next_kind: str


class PeopleRows(list[PersonRow]):
    """The people list's rows; ``damaged`` names tables whose damaged pages hid some, and
    ``unreadable`` the people whose record could not be opened (shown marked)."""

    damaged: tuple[str, ...] = ()
    unreadable: tuple[Unreadable, ...] = ()


def people_rows(vault: VaultReader, today: date, search: str = "") -> PeopleRows:
    """People matching ``search`` (name or relationship), soonest next occasion first."""
    from profilekeeper.reminders import occurs_on

    soonest: dict[str, tuple[date, str]] = {}
    leap = leap_day(vault)
    occasions, people = vault.list(Occasion), vault.list(Person)
    for occasion in occasions:
        when = occurs_on(occasion, today, leap_day=leap)
        if occasion.person_id is None or when is None:
            continue
        if occasion.person_id not in soonest or when < soonest[occasion.person_id][0]:
            soonest[occasion.person_id] = (when, occasion.label or occasion.kind)
    rows = [PersonRow(p, *soonest.get(p.id, (None, ""))) for p in people]
    far = date.max
    rows.sort(key=lambda r: (r.next_date or far, r.person.name.casefold()))
    shown = PeopleRows(matching(rows, search))
    shown.damaged = _unreadable([occasions, people])["damaged"]
    shown.unreadable = unreadable(people)
    return shown


def names_of(vault: VaultReader, person_ids: set[str]) -> dict[str, str]:
    """The names of these people (only: not everyone's), leaving out any deleted or damaged."""
    return {p.id: p.name for p in vault.load(Person, id=person_ids)}


def matching(rows: list[PersonRow], search: str) -> list[PersonRow]:
    """The rows whose name or relationship contains ``search``, ignoring case."""
    wanted = search.strip().casefold()
    if not wanted:
        return rows
    return [
        r for r in rows
        if wanted in r.person.name.casefold() or wanted in r.person.relationship.casefold()
    ]


@dataclass(frozen=True, slots=True)
class NoteOwed:
    """A gift received and not yet thanked for: one line of "Thank-you notes owed"."""

    gift: Gift
    from_name: str
    """The giver's name; "" once they were removed and the gift kept."""


def notes_owed(vault: VaultReader) -> list[NoteOwed]:
    """Gifts received and not thanked for, longest waiting first (undated ones last)."""
    owed = [g for g in vault.list(Gift) if g.status == GiftStatus.RECEIVED and not g.thanked]
    names = names_of(vault, {g.person_id for g in owed if g.person_id})
    owed.sort(key=lambda g: (g.on or date.max, g.title.casefold()))
    return [NoteOwed(g, names.get(g.person_id or "", "")) for g in owed]


def gifts_by_year(
    gifts: Sequence[Gift], occasions: Sequence[Occasion]
) -> dict[int, dict[str, list[Gift]]]:
    """Gifts bought, given and received grouped by year (newest first), then by occasion."""
    names = {o.id: (o.label or o.kind) for o in occasions}
    grouped: dict[int, dict[str, list[Gift]]] = defaultdict(lambda: defaultdict(list))
    for gift in gifts:
        if gift.status == GiftStatus.IDEA:
            continue
        year = gift.on.year if gift.on else 0
        grouped[year][names.get(gift.occasion_id or "", "no occasion")].append(gift)
    return {y: dict(grouped[y]) for y in sorted(grouped, reverse=True)}


def days_label(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"
