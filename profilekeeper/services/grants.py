"""What each shop may receive: grants of slices, shop by shop, and the exact preview.

Nothing is granted by default. A grant lasts until it is revoked or its ``until`` passes; the
payload builder (``sync.payload.build_profile_put``, the only way profile data leaves) sends a
shop its grants ∩ the slices it accepts ∩ the owner's opt-in. Revoking here only changes the
vault: ``sharing.revoke`` is what tells the shop at once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar

from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import (
    Grant,
    Interest,
    Occasion,
    Person,
    Purchase,
    Retailer,
    ShopStatus,
)
from profilekeeper.services.people import find_person

if TYPE_CHECKING:
    from collections.abc import Collection

    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.payload import OutgoingProfile
    from profilekeeper.sync.slice_choices import SliceChoice
    from profilekeeper.sync.slices import ProfileSource

PEOPLE = "people"
T = TypeVar("T")


def source_of(vault: Vault, *, people: Collection[str] | None = None) -> ProfileSource:
    """The records slices are built from (records that fail to open are left out); with
    ``people``, only those people's records beside the owner's own: all a share needs, and
    with a thousand people granted of ten thousand, a fifth of the decrypting."""
    from profilekeeper.sync.slices import ProfileSource

    if people is None:
        return ProfileSource(
            profile=vault.profile(), people=vault.list(Person), interests=vault.list(Interest),
            occasions=vault.list(Occasion), purchases=vault.list(Purchase),
        )  # fmt: skip
    ids = set(people)

    def mine_and_theirs(cls: type[T]) -> list[T]:
        return [*vault.list(cls, person_id=None), *vault.load(cls, person_id=ids)]

    return ProfileSource(
        profile=vault.profile(), people=vault.load(Person, id=ids),
        interests=mine_and_theirs(Interest), occasions=mine_and_theirs(Occasion),
        purchases=vault.list(Purchase),
    )  # fmt: skip


def grantable(vault: Vault) -> list[SliceChoice]:
    """Every slice the owner could grant, with its one-line description."""
    from profilekeeper.sync.slice_choices import slice_choices

    return slice_choices(source_of(vault))


def is_active(grant: Grant, now: datetime) -> bool:
    return grant.revoked_at is None and (grant.until is None or grant.until > now)


def grants_of(vault: Vault, shop: Retailer, *, now: datetime) -> list[Grant]:
    """The shop's grants in force now, oldest first."""
    found = [g for g in vault.list(Grant, retailer_id=shop.id) if is_active(g, now)]
    return sorted(found, key=lambda g: (g.since, g.slice))


def parse_until(text: str | None, now: datetime) -> datetime | None:
    """``--until YYYY-MM-DD``: the grant holds through that day (UTC)."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("--until is a date, like 2027-01-31") from None
    until = datetime.combine(day + timedelta(days=1), time(), UTC)
    if until <= now:
        raise InvalidInput("--until is a date in the past")
    return until


def _choice(vault: Vault, shop: Retailer, slice_name: str,
            person: str | None) -> tuple[str, str | None]:  # fmt: skip
    """(slice, person id) for what the owner typed: ``people.NAME`` or ``people --person NAME``
    for a person, else a slice name from ``grantable``."""
    name = slice_name.strip()
    if name.startswith(PEOPLE + "."):
        name, person = PEOPLE, name[len(PEOPLE) + 1:]
    if name == PEOPLE or person is not None:
        if name != PEOPLE or not person:
            raise InvalidInput("a person is granted as people.NAME or people --person NAME")
        return PEOPLE, find_person(vault, person).id
    if name not in {c.slice for c in grantable(vault) if c.person_id is None}:
        raise NotFound("no slice by that name: `profilekeeper shop show SHOP` lists them")
    return name, None


def _accepted(shop: Retailer, slice_name: str) -> bool:
    from profilekeeper.sync.protocol import slice_accepted

    wire = "people.x" if slice_name == PEOPLE else slice_name
    return slice_accepted(wire, list(shop.discovery.get("slices_accepted", [])))


def grant_slice(vault: Vault, shop: Retailer, slice_name: str, *, person: str | None = None,
          until: datetime | None = None, now: datetime) -> Grant:  # fmt: skip
    """Let ``shop`` receive a slice (from the next share on); granting it again sets its end."""
    if shop.status is ShopStatus.FORGET_PENDING:
        raise Conflict("that shop is being forgotten: nothing more is sent to it")
    with vault.transaction():
        name, person_id = _choice(vault, shop, slice_name, person)
        if not _accepted(shop, name):
            raise InvalidInput("that shop does not accept that slice")
        same = [g for g in grants_of(vault, shop, now=now)
                if g.slice == name and g.person_id == person_id]  # fmt: skip
        if same:
            return vault.save(replace(same[0], until=until))
        return vault.add(Grant(retailer_id=shop.id, slice=name, since=now, until=until,
                               person_id=person_id))  # fmt: skip


def revoke_grant(vault: Vault, shop: Retailer, slice_name: str, *, person: str | None = None,
                 now: datetime) -> list[Grant]:  # fmt: skip
    """End the shop's grants of a slice here (``sharing.revoke`` also tells the shop)."""
    with vault.transaction():
        name, person_id = _choice(vault, shop, slice_name, person)
        ended = [replace(g, revoked_at=now) for g in grants_of(vault, shop, now=now)
                 if g.slice == name and g.person_id == person_id]  # fmt: skip
        if not ended:
            raise NotFound("that slice is not granted to that shop")
        vault.save_all(ended)
    return ended


def receipt_id(shop: Retailer, now: datetime) -> str:
    """The receipt id of a share at ``now``: a preview and the share at the same moment carry
    the same one, so the preview is byte for byte what is sent."""
    digest = hmac.new(bytes.fromhex(shop.ref_key), now.isoformat().encode(), hashlib.sha256)
    return "r-" + digest.hexdigest()[:30]


def outgoing(vault: Vault, shop: Retailer, *, now: datetime) -> OutgoingProfile:
    """Exactly what a share to ``shop`` at ``now`` sends (and what it withholds, and why). The
    purpose is the builder's choice among the link's, which met the owner's minimum."""
    from profilekeeper.sync.payload import build_profile_put

    grants = vault.list(Grant, retailer_id=shop.id)
    people = {g.person_id for g in grants if g.person_id}
    return build_profile_put(source_of(vault, people=people), shop, grants, now=now,
                             receipt_id=receipt_id(shop, now))  # fmt: skip


def preview(vault: Vault, shop: Retailer, *, now: datetime) -> OutgoingProfile:
    """What ``sync`` would send the shop now: the same function, the same bytes."""
    return outgoing(vault, shop, now=now)
