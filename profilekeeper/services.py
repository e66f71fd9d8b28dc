"""Plain-Python services the screens call: no Textual, no SQL, no HTTP here.

Each function takes an unlocked vault (or plain records) and returns plain values, so screens stay
thin and the logic is testable without a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from profilekeeper.errors import InvalidInput
from profilekeeper.model import (
    Gift,
    GiftStatus,
    Occasion,
    Person,
    Profile,
    Purchase,
    Suggestion,
    SuggestionStatus,
)

if TYPE_CHECKING:
    from profilekeeper.reminders import Due
    from profilekeeper.store.occasion_dates import DateIndex
    from profilekeeper.store.vault import Vault

MIN_PASSPHRASE = 8
DEFAULT_IDLE_MINUTES = 10
T = TypeVar("T")

THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "monokai")


def passphrase_hint(passphrase: str) -> tuple[int, str]:
    """A rough strength score 0–4 and a plain hint; length matters most for passphrases."""
    if not passphrase:
        return 0, "Choose a passphrase: several words are easier to remember than symbols."
    if len(passphrase) < MIN_PASSPHRASE:
        return 0, f"Too short: use at least {MIN_PASSPHRASE} characters."
    kinds = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    words = len(passphrase.split())
    score = min(4, len(passphrase) // 8 + (kinds >= 3) + (words >= 3))
    hints = {
        1: "Weak: add another word or two.",
        2: "Fair: a longer phrase is stronger.",
        3: "Good.",
        4: "Strong.",
    }
    return score, hints.get(score, "Weak: add another word or two.")


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
    """The people list's rows; ``damaged`` names tables whose damaged pages hid some."""

    damaged: tuple[str, ...] = ()


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


def gifts_by_year(
    gifts: Sequence[Gift], occasions: Sequence[Occasion]
) -> dict[int, dict[str, list[Gift]]]:
    """Bought and given gifts grouped by year (newest first), then by occasion name."""
    names = {o.id: (o.label or o.kind) for o in occasions}
    grouped: dict[int, dict[str, list[Gift]]] = defaultdict(lambda: defaultdict(list))
    for gift in gifts:
        if gift.status == GiftStatus.IDEA:
            continue
        year = gift.on.year if gift.on else 0
        grouped[year][names.get(gift.occasion_id or "", "no occasion")].append(gift)
    return {y: dict(grouped[y]) for y in sorted(grouped, reverse=True)}


def update_settings(vault: Vault, **changes: Any) -> None:
    profile = vault.profile()
    vault.save(replace(profile, settings={**profile.settings, **changes}))


def setting(vault: Vault, name: str, default: Any) -> Any:
    return vault.profile().settings.get(name, default)


def mark_purchase_as_gift(vault: Vault, purchase_id: str, person_id: str | None) -> Purchase:
    """Record that a purchase was a gift (or undo it with None); gifts never personalize."""
    purchase = vault.get(Purchase, purchase_id)
    return vault.save(replace(purchase, gift_for=person_id))


def toggle_personalize(vault: Vault, purchase_id: str) -> Purchase:
    purchase = vault.get(Purchase, purchase_id)
    return vault.save(replace(purchase, personalize=not purchase.personalize))


def days_label(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


SNOOZE_DAYS = 3
"""Snoozing offers this many days from today (never reaching the day itself)."""


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
    new_suggestions: int
    upcoming: list[Due]
    due: list[Due]
    unreadable: int = 0
    """Records that failed authentication and were left out."""
    damaged: tuple[str, ...] = ()
    """Tables of which some records could not be read at all (damaged pages of the file)."""


def home_view(source: VaultReader, today: date, days: int = 60) -> HomeView:
    """The greeting's facts, the next ``days`` of occasions and the reminders nagging now."""
    from profilekeeper import reminders
    from profilekeeper.store.occasion_dates import occasions_near

    profiles, suggestions = source.list(Profile), source.list(Suggestion)
    profile = profiles[0] if profiles else Profile()
    leap = reminders.leap_day_setting(profile.settings)
    # The occasions in the window, and only the people and gifts they need.
    occasions = occasions_near(source, today, days, leap_day=leap)
    person_ids = {o.person_id for o in occasions if o.person_id}
    people = source.load(Person, id=person_ids)
    gifts = source.load(Gift, person_id=person_ids, occasion_id={o.id for o in occasions})
    listings = (profiles, suggestions, occasions, people, gifts)
    return HomeView(
        profile=profile,
        new_suggestions=sum(s.status == SuggestionStatus.NEW for s in suggestions),
        upcoming=reminders.upcoming(occasions, people, gifts, today, days, leap_day=leap),
        due=reminders.due(occasions, people, gifts, today, days, leap_day=leap),
        **_unreadable(listings),
    )


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

    return reminders.due(occasions, [person], gifts, today, days, leap_day=leap_day(vault))


def snooze_default(item: Due, today: date) -> date | None:
    """SNOOZE_DAYS from today, but before the day itself; None when no day fits between."""
    until = min(today + timedelta(days=SNOOZE_DAYS), item.on - timedelta(days=1))
    return until if until > today else None


def _snooze_day(item: Due, today: date, until: date | None) -> date:
    until = until or snooze_default(item, today)
    if until is None:
        raise InvalidInput("the day is too close to snooze: dismiss it, or mark the gift bought")
    if until <= today:
        raise InvalidInput("snooze until a day after today")
    if until >= item.on:
        raise InvalidInput(f"snooze until a day before {item.on.isoformat()}, the day itself; "
                           "to stop reminding this year, dismiss it")
    return until


def act_on_reminder(
    vault: Vault, item: Due, verb: str, today: date, until: date | None = None
) -> Occasion:
    """Dismiss, snooze or mark "gift bought" the occurrence ``item`` names.

    A snooze lasts until ``until`` (default ``snooze_default``), which must fall after today and
    before the occurrence: snoozing past it would silence the day itself.
    """
    from profilekeeper import reminders

    snooze_to = _snooze_day(item, today, until) if verb == "snooze" else None
    occasion = vault.get(Occasion, item.occasion_id)
    year = item.on.year
    if verb == "dismiss":
        updated = reminders.dismiss(occasion, year)
    elif snooze_to is not None:
        updated = reminders.snooze(occasion, year, snooze_to)
    elif verb == "bought":
        updated = reminders.mark_bought(occasion, year)
    else:
        raise ValueError(f"unknown reminder action {verb!r}")
    return vault.save(updated)


# -- files in and out (run from workers: they read or write the whole vault) ----------------

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
