"""``build_profile_put``: only what is granted, accepted and opted in to ever leaves.

The main property runs random vaults and grants through the builder. Every private value is
a distinctive marker (capitalised prefix + random lower-case letters, no digits) so finding it
in the bytes is a leak; birth years are 19xx and nothing else sent holds such a number on its
own (a hex ref may hold those digits, inside it).
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profilekeeper.model import (
    Grant,
    Interest,
    Occasion,
    Person,
    Profile,
    Purchase,
    Retailer,
    Sentiment,
)
from profilekeeper.sync.payload import OutgoingProfile, build_profile_put, choose_purpose
from profilekeeper.sync.protocol import ProfilePut, slice_accepted
from profilekeeper.sync.slices import ProfileSource, person_ref
from tests.conftest import PASSPHRASE

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FAMILIES = ["greeting", "interests.*", "location.city", "purchases", "people.*",
            "occasions.upcoming"]  # fmt: skip
CATEGORIES = ["music", "Films & TV", "books", "映画", "Café", "3D printing", "films tv"]
SLUGS = ["music", "films_tv", "books", "other", "cafe", "x3d_printing", "travel"]
RELATIONSHIPS = ["niece", "friend", "colleague", "r" * 41, ""]
PURPOSES = ["recommendations", "gift_ideas", "offers", "analytics"]
BIRTH_YEAR = re.compile(rb"(?<![0-9a-z])19[0-9]{2}(?![0-9a-z])")  # not inside a hex ref


def shop_for(
    accepted: list[str] | None = None, *, retention: int = 90, purposes: list[str] | None = None
) -> Retailer:
    terms = {"retention_days": retention, "purposes": purposes or ["recommendations"],
             "resale": False, "third_party_sharing": False,
             "privacy_policy_url": "https://shop.example/privacy"}  # fmt: skip
    accepted = FAMILIES if accepted is None else accepted
    return Retailer(name="Shop", base_url="https://shop.example", terms=terms,
                    discovery={"slices_accepted": accepted})  # fmt: skip


def grant(shop: Retailer, name: str, person_id: str | None = None, **kw: object) -> Grant:
    return Grant(shop.id, name, since=NOW - timedelta(days=1), person_id=person_id, **kw)  # type: ignore[arg-type]


# --- Random vaults ---------------------------------------------------------------------------

letters = st.text(string.ascii_lowercase, min_size=6, max_size=10)


def marker(prefix: str) -> st.SearchStrategy[str]:
    return letters.map(lambda s: prefix + s)


@st.composite
def people(draw: st.DrawFn) -> tuple[Person, list[Interest], list[Occasion], list[Purchase]]:
    person = Person(
        name=draw(marker("Who")) + " " + draw(marker("Fam")),
        relationship=draw(st.sampled_from(RELATIONSHIPS)),
        notes=draw(marker("Note")),
        sizes={"shirt": draw(marker("Size"))},
        contact_uid=draw(marker("Uid")),
        budget=draw(st.none() | st.decimals(0, 999, places=2)),
        currency=draw(st.sampled_from(["EUR", "usd", "euro", ""])),
    )
    interests = [Interest(draw(st.sampled_from(CATEGORIES)), draw(marker("Likes")),
                          draw(st.sampled_from(list(Sentiment))), person_id=person.id)
                 for _ in range(draw(st.integers(0, 3)))]  # fmt: skip
    occasions = [
        Occasion(kind, draw(st.integers(1, 12)), draw(st.integers(1, 28)),
                 draw(st.none() | st.integers(1900, 1999)), person_id=person.id)
        for kind in draw(st.lists(st.sampled_from(["birthday", "anniversary", "Name day"])
                                  | marker("Kindof"), max_size=2))  # "Kindof…": free text
    ]  # fmt: skip
    if draw(st.booleans()):
        occasions.append(Occasion("birthday", 2, 29, draw(st.integers(1900, 1999)),
                                  person_id=person.id))  # fmt: skip
    gifts = [Purchase(draw(marker("Gifttitle")), on=date(2025, 6, 1), gift_for=person.id,
                      creators=[draw(marker("Giftby"))])
             for _ in range(draw(st.integers(0, 2)))]  # fmt: skip
    return person, interests, occasions, gifts


@st.composite
def sources(draw: st.DrawFn) -> ProfileSource:
    profile = Profile(
        display_name=draw(st.sampled_from(["", "Ownername Q", "  Ownername"])),
        city=draw(st.sampled_from(["", "Lisbon", "L" * 81])),
        opted_in=draw(st.sampled_from([True, True, False, None])),
        settings={"leap_day": draw(st.sampled_from(["feb28", "mar1"]))},
    )
    drawn = draw(st.lists(people(), max_size=5))
    mine = [Interest(draw(st.sampled_from(CATEGORIES)), draw(marker("Mine")),
                     draw(st.sampled_from(list(Sentiment))))
            for _ in range(draw(st.integers(0, 5)))]  # fmt: skip
    own_dates = [Occasion("birthday", draw(st.integers(1, 12)), draw(st.integers(1, 28)),
                          draw(st.integers(1900, 1999)))
                 for _ in range(draw(st.integers(0, 1)))]  # fmt: skip
    bought = [Purchase(draw(marker("Bought")), on=date(2024, 1, 2), category="books",
                       creators=[draw(marker("Author"))])
              for _ in range(draw(st.integers(0, 3)))]  # fmt: skip
    dont = [Purchase(draw(marker("Dontuse")), personalize=False, creators=[draw(marker("Dby"))])
            for _ in range(draw(st.integers(0, 2)))]  # fmt: skip
    return ProfileSource(
        profile,
        people=[p for p, *_ in drawn],
        interests=mine + [i for _, interests, _, _ in drawn for i in interests],
        occasions=own_dates + [o for _, _, occasions, _ in drawn for o in occasions],
        purchases=bought + dont + [g for *_, gifts in drawn for g in gifts],
    )


@dataclass
class Case:
    source: ProfileSource
    shop: Retailer
    other: Retailer
    grants: list[Grant]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    source = draw(sources())
    accepted = draw(st.lists(st.sampled_from(
        [*FAMILIES, "interests.music", "interests.other"]), unique=True))  # fmt: skip
    purposes = draw(st.lists(st.sampled_from(PURPOSES), min_size=1, unique=True))
    shop = shop_for(accepted, retention=draw(st.integers(1, 365)), purposes=purposes)
    other = replace(shop, id="other-shop", ref_key="cd" * 32)
    names = ["greeting", "location.city", "purchases", "occasions.upcoming", "bogus",
             *(f"interests.{s}" for s in SLUGS)]  # fmt: skip
    targets = [(n, None) for n in names] + [("people", p.id) for p in source.people]
    targets.append(("people", "deleted-person"))
    grants = []
    for name, person_id in draw(st.lists(st.sampled_from(targets), max_size=20)):
        until = draw(st.none() | st.integers(-3 * 86400, 400 * 86400).map(
            lambda s: NOW + timedelta(seconds=s)))  # fmt: skip
        revoked = draw(st.sampled_from([None, None, None, NOW - timedelta(hours=1)]))
        owner = draw(st.sampled_from([shop.id, shop.id, shop.id, "someone-else"]))
        grants.append(Grant(owner, name, since=NOW - timedelta(days=2), until=until,
                            revoked_at=revoked, person_id=person_id))  # fmt: skip
    return Case(source, shop, other, grants)


def live_names(case: Case, shop: Retailer) -> dict[str, list[datetime | None]]:
    """What the grants allow, worked out here independently of the builder."""
    known = {p.id for p in case.source.people}
    allowed: dict[str, list[datetime | None]] = {}
    for g in case.grants:
        if g.retailer_id != case.shop.id or g.revoked_at or (g.until and g.until <= NOW):
            continue
        if g.slice == "people":
            if g.person_id not in known:
                continue
            name = f"people.{person_ref(shop.ref_key, g.person_id)}"  # type: ignore[arg-type]
        elif g.slice == "bogus":
            continue
        else:
            name = g.slice
        if case.source.profile.opted_in is not True and name != "greeting":
            continue
        if slice_accepted(name, shop.discovery["slices_accepted"]):
            allowed.setdefault(name, []).append(g.until)
    return allowed


def secrets_of(source: ProfileSource) -> list[str]:
    found = []
    for p in source.people:
        found += [*p.name.split(), p.notes, *p.sizes.values(), p.contact_uid]
    found += [o.kind.lower() for o in source.occasions if o.kind.startswith("Kindof")]
    for purchase in source.purchases:
        if purchase.gift_for or not purchase.personalize:
            found += [purchase.title, *purchase.creators]
    return found


@settings(max_examples=1000)
@given(cases())
def test_only_granted_accepted_and_opted_in_slices_leave_and_nothing_private(
    case: Case,
) -> None:
    out = build_profile_put(case.source, case.shop, case.grants, now=NOW,
                            receipt_id="receipt-under-test")  # fmt: skip
    put = out.put
    # The bytes are the model, exactly, and validate against the wire.
    assert ProfilePut.model_validate_json(out.body) == put
    assert json.loads(out.body) == json.loads(put.model_dump_json(exclude_none=True))
    assert put.receipt.slices == sorted(put.slices) == list(out.slices)
    # Granted ∩ accepted ∩ opted in, and all of it unless it cannot exist (no name, no city).
    allowed = live_names(case, case.shop)
    profile = case.source.profile
    missing = {"greeting"} if not profile.display_name.strip() else set()
    if profile.city != "Lisbon":
        missing.add("location.city")
    assert set(out.slices) == set(allowed) - missing
    if profile.opted_in is not True:
        assert set(out.slices) <= {"greeting"}
    # Nothing private, ever.
    text = out.body.decode()
    leaks = [s for s in secrets_of(case.source) if s and s in text]
    assert not leaks
    assert not BIRTH_YEAR.search(out.body)
    assert "Ownername" not in text or text.count("Ownername") == 1  # the greeting alone
    # What was left out is said without the values, sent or not.
    said = " ".join(w.reason + w.slice for w in out.withheld)
    values = [*secrets_of(case.source), *(i.name for i in case.source.interests),
              *(p.title for p in case.source.purchases), *(p.relationship for p in
              case.source.people if p.relationship), "Ownername", "Lisbon", "LLLL"]  # fmt: skip
    assert not [v for v in values if v in said]
    # Refs: the ones sent, and only those, are what suggestions' ``for`` may name.
    refs = set(out.refs.values())
    assert refs == {n[7:] for n in out.slices if n.startswith("people.")}
    upcoming = put.slices.get("occasions.upcoming")
    if upcoming is not None:
        assert {i.for_ for i in upcoming.items} <= refs | {"self"}  # type: ignore[union-attr]
    # Retention: the shop's, cut to the whole days before the first sent slice's grant ends.
    # (Of two live grants for one slice the later end counts; no end beats any.)
    ends = [None if None in allowed[n] else max(allowed[n]) for n in out.slices]  # type: ignore[type-var]
    days = [max(1, int((end - NOW).total_seconds() // 86400)) for end in ends if end]
    assert out.retention_days == put.receipt.retention_days == min(
        [case.shop.terms["retention_days"], *days])  # fmt: skip
    # Another shop, the same grants: never the same ref for the same person.
    theirs = build_profile_put(case.source, case.other,
                               [replace(g, retailer_id=case.other.id) if g.retailer_id ==
                                case.shop.id else g for g in case.grants], now=NOW)  # fmt: skip
    assert not refs & set(theirs.refs.values())
    assert out.refs.keys() == theirs.refs.keys()


# --- Examples --------------------------------------------------------------------------------


def full_source(opted_in: bool | None = True) -> ProfileSource:
    sam = Person("Sam Okafor", relationship="brother", budget=Decimal(40), currency="EUR",
                 id="sam")  # fmt: skip
    return ProfileSource(
        Profile(display_name="Alex Doe", city="Lisbon", opted_in=opted_in),
        people=[sam],
        interests=[Interest("music", "Velvet Static", Sentiment.LOVE),
                   Interest("books", "picture books", person_id=sam.id)],
        occasions=[Occasion("birthday", 12, 20, 1986, person_id=sam.id),
                   Occasion("anniversary", 1, 5, 2016)],
        purchases=[Purchase("Aurora (vinyl)", on=date(2025, 10, 11), category="music",
                            creators=["Velvet Static"])],
    )  # fmt: skip


def grant_everything(shop: Retailer, **kw: object) -> list[Grant]:
    names = ["greeting", "interests.music", "location.city", "purchases", "occasions.upcoming"]
    return [grant(shop, n, **kw) for n in names] + [grant(shop, "people", "sam", **kw)]


def test_the_whole_profile_granted_to_a_shop_that_takes_it_all() -> None:
    shop = shop_for()
    out = build_profile_put(full_source(), shop, grant_everything(shop), now=NOW)
    ref = person_ref(shop.ref_key, "sam")
    assert json.loads(out.body)["slices"] == {
        "greeting": {"first_name": "Alex"},
        "interests.music": {"items": [{"name": "Velvet Static", "sentiment": "love"}]},
        "location.city": {"city": "Lisbon"},
        "purchases": {"items": [{"title": "Aurora (vinyl)", "category": "music",
                                 "creators": ["Velvet Static"], "on": "2025-10-11"}]},
        "occasions.upcoming": {"horizon_days": 60, "items": [
            {"for": ref, "kind": "birthday", "date": "2026-12-20"},
            {"for": "self", "kind": "anniversary", "date": "2027-01-05"}]},
        f"people.{ref}": {"relationship": "brother", "age_band": "35-49", "budget": {
            "amount": "40", "currency": "EUR"}, "interests": [
            {"category": "books", "name": "picture books", "sentiment": "like"}]},
    }  # fmt: skip
    assert out.refs == {"sam": ref}
    assert out.withheld == ()
    assert out.body == json.dumps(json.loads(out.body), sort_keys=True, separators=(",", ":"),
                                  ensure_ascii=False).encode()  # fmt: skip


@pytest.mark.parametrize("opted_in", [False, None])
def test_opted_out_or_not_yet_answered_sends_the_greeting_alone(opted_in: bool | None) -> None:
    shop = shop_for()
    out = build_profile_put(full_source(opted_in), shop, grant_everything(shop), now=NOW)
    assert out.slices == ("greeting",)
    assert b"Sam" not in out.body and b"Lisbon" not in out.body
    why = "not yet answered" if opted_in is None else "off"
    assert {w.reason for w in out.withheld} == {f"personalization is {why}: greeting only"}
    assert len(out.withheld) == 5


def test_ended_revoked_future_and_other_shops_grants_send_nothing() -> None:
    shop = shop_for()
    grants = [
        grant(shop, "location.city", until=NOW),  # ends now: ended
        grant(shop, "purchases", revoked_at=NOW - timedelta(seconds=1)),
        replace(grant(shop, "greeting"), since=NOW + timedelta(days=1)),
        Grant("another-shop", "interests.music", since=NOW - timedelta(days=1)),
        grant(shop, "people", "gone"),
    ]
    out = build_profile_put(full_source(), shop, grants, now=NOW)
    assert out.slices == () and json.loads(out.body)["slices"] == {}
    assert {(w.slice, w.reason) for w in out.withheld} == {
        ("location.city", "the grant has expired"),
        ("greeting", "the grant has not started yet"),
        ("people", "the person is no longer in the vault"),
    }


def test_a_slice_the_shop_does_not_accept_is_never_sent() -> None:
    shop = shop_for(["greeting", "interests.books"])
    out = build_profile_put(full_source(), shop, grant_everything(shop), now=NOW)
    assert out.slices == ("greeting",)
    assert {w.slice for w in out.withheld if w.reason == "this shop does not accept it"} == {
        "interests.music", "location.city", "purchases", "occasions.upcoming",
        f"people.{person_ref(shop.ref_key, 'sam')}"}  # fmt: skip


@pytest.mark.parametrize(
    ("until", "days"),
    [(None, 30), (NOW + timedelta(days=45), 30), (NOW + timedelta(days=10, hours=23), 10),
     (NOW + timedelta(hours=2), 1)],
)  # fmt: skip
def test_the_earliest_grant_expiry_caps_the_receipts_retention(
    until: datetime | None, days: int
) -> None:
    shop = shop_for(retention=30)
    revoked = grant(shop, "location.city", until=NOW + timedelta(days=5), revoked_at=NOW)
    grants = [grant(shop, "greeting"), grant(shop, "location.city", until=until), revoked]
    out = build_profile_put(full_source(), shop, grants, now=NOW)
    assert out.put.receipt.retention_days == out.retention_days == days


def test_the_longer_of_two_live_grants_for_one_slice_counts() -> None:
    shop = shop_for(retention=30)
    grants = [grant(shop, "greeting", until=NOW + timedelta(days=3)), grant(shop, "greeting")]
    assert build_profile_put(full_source(), shop, grants, now=NOW).retention_days == 30


@pytest.mark.parametrize(
    ("offered", "wanted", "chosen"),
    [(["offers", "gift_ideas"], None, "gift_ideas"), (["offers", "gift_ideas"], "offers",
     "offers"), (["analytics", "offers"], "marketing", "offers"), (["analytics"], None,
     "analytics"), (["recommendations", "gift_ideas"], None, "recommendations")],
)  # fmt: skip
def test_the_purpose_is_the_one_asked_for_if_offered_else_the_first_preferred(
    offered: list[str], wanted: str | None, chosen: str
) -> None:
    assert choose_purpose(shop_for(purposes=offered), wanted) == chosen
    shop = shop_for(purposes=offered)
    out = build_profile_put(full_source(), shop, [], now=NOW, purpose=wanted)
    assert out.put.receipt.purpose == chosen


def test_terms_come_from_the_link_else_from_discovery_and_are_required() -> None:
    shop = shop_for(retention=12)
    from_discovery = replace(shop, terms={}, discovery={**shop.discovery, "terms": shop.terms})
    assert build_profile_put(full_source(), from_discovery, [], now=NOW).retention_days == 12
    with pytest.raises(ValueError, match="purpose"):
        build_profile_put(full_source(), replace(shop, terms={}), [], now=NOW)
    with pytest.raises(ValueError, match="timezone"):
        build_profile_put(full_source(), shop, [], now=NOW.replace(tzinfo=None))


def test_receipt_ids_are_random_and_wire_valid() -> None:
    shop = shop_for()
    ids = {build_profile_put(full_source(), shop, [], now=NOW).put.receipt.receipt_id
           for _ in range(20)}  # fmt: skip
    assert len(ids) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{8,128}", i) for i in ids)


def many_people(count: int) -> tuple[ProfileSource, list[Person]]:
    everyone = [Person(f"Person {n}", relationship="friend", id=f"p{n:04d}") for n in range(count)]
    # Only the last ten have a date soon: they are the ones kept when not all fit.
    soon = [Occasion("birthday", 12, 4, None, person_id=p.id) for p in everyone[-10:]]
    source = ProfileSource(Profile(display_name="Alex", opted_in=True), people=everyone,
                           interests=[Interest("music", "m" * 100, person_id=p.id)
                                      for p in everyone], occasions=soon)  # fmt: skip
    return source, everyone


def test_past_200_slices_people_with_the_soonest_dates_are_kept() -> None:
    source, everyone = many_people(300)
    shop = shop_for()
    grants = [grant(shop, "greeting"), grant(shop, "occasions.upcoming")]
    grants += [grant(shop, "people", p.id) for p in everyone]
    out = build_profile_put(source, shop, grants, now=NOW)
    assert len(out.slices) == 200 and len(out.refs) == 198
    assert {p.id for p in everyone[-10:]} <= out.refs.keys()
    cut = [w for w in out.withheld if w.reason == "a share holds at most 200 slices"]
    assert len(cut) == 102
    upcoming = out.put.slices["occasions.upcoming"]
    assert len(upcoming.items) == 10  # type: ignore[union-attr]
    assert ProfilePut.model_validate_json(out.body) == out.put


def test_the_shops_byte_limit_is_kept() -> None:
    source, everyone = many_people(50)
    shop = shop_for()
    shop.discovery["limits"] = {"max_request_bytes": 4000, "max_page_size": 200,
                                "requests_per_minute": 60}  # fmt: skip
    grants = [grant(shop, "greeting"), grant(shop, "occasions.upcoming")]
    grants += [grant(shop, "people", p.id) for p in everyone]
    out = build_profile_put(source, shop, grants, now=NOW)
    assert len(out.body) <= 4000 and "greeting" in out.slices
    assert 5 < len(out.refs) < 50
    items = out.put.slices["occasions.upcoming"].items  # type: ignore[union-attr]
    assert {i.for_ for i in items} <= set(out.refs.values())
    assert any(w.reason == "the share would pass the shop's size limit" for w in out.withheld)


def test_a_payload_from_a_real_vault_file(vault_path: Path, fast_kdf: None) -> None:
    from profilekeeper.demo import demo_records
    from profilekeeper.store.vault import Vault

    with Vault.create(vault_path, PASSPHRASE) as vault, vault.transaction():
        vault.save(replace(vault.profile(), display_name="Alex Example", city="Lisbon",
                           opted_in=True))  # fmt: skip
        for records in demo_records(NOW.date()).values():
            vault.add_all(records)
        shop = vault.add(shop_for())
        people = vault.list(Person)
        vault.add_all([grant(shop, "interests.music"), grant(shop, "purchases"),
                       grant(shop, "occasions.upcoming", until=NOW + timedelta(days=20)),
                       *(grant(shop, "people", p.id) for p in people[:6])])  # fmt: skip
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        source = ProfileSource(vault.profile(), vault.list(Person), vault.list(Interest),
                               vault.list(Occasion), vault.list(Purchase))  # fmt: skip
        (shop,) = vault.list(Retailer)
        out: OutgoingProfile = build_profile_put(source, shop, vault.list(Grant), now=NOW)
    assert len(out.refs) == 6
    assert {"interests.music", "purchases", "occasions.upcoming"} <= set(out.slices)
    assert out.retention_days == 20
    assert ProfilePut.model_validate_json(out.body) == out.put
    text = out.body.decode()
    assert not [p.name for p in people if p.name.split()[0] in text]
    assert "Dinosaur encyclopedia" not in text and "Wedding gift set" not in text
    assert "Cycling gloves" in text
