"""A demo vault of fictional people, interests, dates, gifts and purchases.

The passphrase is ``demo-passphrase`` (DEMO_PASSPHRASE). Every name here is invented. The content
is the same on every build (ids are derived from names, not random); nothing is remembered in
the keyring unless ``remember=True`` is passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    Person,
    Profile,
    Purchase,
    Retailer,
    Sentiment,
)

if TYPE_CHECKING:
    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.server import RunningServer

DEMO_PASSPHRASE = "demo-passphrase"
DEMO_RETAILER_NAME = "Demo Shop (local)"
_NAMESPACE = uuid.UUID("5f0c7a52-7d5e-4a53-9d4a-8d1f3c0b6a11")


def _id(*parts: object) -> str:
    return uuid.uuid5(_NAMESPACE, "/".join(map(str, parts))).hex


def demo_vault_path() -> Path:
    from profilekeeper.store.paths import default_data_dir

    return default_data_dir() / "demo-vault.sqlite3"


# name, relationship, budget, sizes, birthday (month, day, year|None), interests. Interests
# use the demo catalog's words (tools/make_demo_catalog.py), budgets and ages fit its items.
PEOPLE: tuple[tuple[str, str, int, dict[str, str], tuple[int, int, int | None],
                    tuple[tuple[str, str, str], ...]], ...] = (
    ("Sam Okafor", "brother", 40, {"shirt": "L"}, (3, 14, 1986),
     (("music", "Northern Lights Trio", "love"), ("hobbies", "bouldering", "like"))),
    ("Maya Lindqvist", "partner", 80, {"ring": "54", "shoes": "39"}, (6, 2, 1990),
     (("books", "Iris Calloway", "love"), ("food", "Sichuan cooking", "like"),
      ("brands", "Glitterbox", "never"))),
    ("Grandma Ada", "grandmother", 30, {}, (11, 30, 1941),
     (("hobbies", "gardening", "love"), ("films", "musical", "like"))),
    ("Theo Brandt", "nephew", 25, {"clothes": "8 years"}, (8, 19, 2017),
     (("games", "building bricks", "love"), ("books", "dinosaurs", "like"))),
    ("Priya Raman", "friend", 35, {}, (1, 9, None),
     (("music", "ambient", "like"), ("travel", "train journeys", "love"))),
    ("Jonas Weber", "colleague", 20, {}, (9, 27, None),
     (("food", "coffee", "love"),)),
    ("Lucia Moreno", "sister", 50, {"shirt": "S"}, (12, 12, 1993),
     (("films", "documentary", "love"), ("authors", "Tomas Vell", "like"))),
    ("Kwame Mensah", "godson", 30, {}, (4, 25, 2012),
     (("sports", "football", "love"), ("music", "drumming", "like"))),
    ("Hanna Virtanen", "mother", 60, {"scarf": "one size"}, (7, 7, 1960),
     (("hobbies", "knitting", "love"), ("music", "classical", "like"))),
    ("Felix Dubois", "father", 60, {}, (10, 3, 1958),
     (("books", "history", "love"), ("food", "cheese", "like"))),
    ("Noor Haddad", "best friend", 45, {}, (5, 18, 1991),
     (("films", "horror", "dislike"), ("music", "jazz", "love"))),
    ("Ines Carvalho", "aunt", 30, {}, (2, 29, 1964),
     (("travel", "islands", "like"),)),
)

MY_INTERESTS = (
    ("music", "Northern Lights Trio", "love"), ("music", "synth pop", "like"),
    ("films", "science fiction", "love"), ("books", "Iris Calloway", "like"),
    ("hobbies", "cycling", "love"), ("brands", "FastFashion Co", "never"),
)  # fmt: skip


def demo_records(today: date | None = None) -> dict[type, list[object]]:
    """All demo records by type, parents first; gift years follow ``today``."""
    year = (today or date.today()).year
    people: list[object] = []
    interests: list[object] = []
    occasions: list[object] = []
    gifts: list[object] = []
    for name, relationship, budget, sizes, (month, day, born), likes in PEOPLE:
        pid = _id("person", name)
        people.append(Person(name=name, relationship=relationship, budget=Decimal(budget),
                             currency="EUR", sizes=dict(sizes), id=pid))
        birthday = Occasion(kind="birthday", month=month, day=day, year=born, person_id=pid,
                            id=_id("birthday", name))
        occasions.append(birthday)
        for category, what, feeling in likes:
            interests.append(Interest(category=category, name=what, sentiment=Sentiment(feeling),
                                      person_id=pid, id=_id("interest", name, what)))
        first = name.split()[-1] if name.startswith("Grandma") else name.split()[0]
        gifts.append(Gift(title=f"Something {likes[0][1]} for {first}", person_id=pid,
                          occasion_id=birthday.id, status=GiftStatus.IDEA,
                          price=Decimal(budget) / 2, currency="EUR", id=_id("idea", name)))
        gifts.append(Gift(title=f"{likes[0][1].capitalize()} voucher", person_id=pid,
                          occasion_id=birthday.id, status=GiftStatus.GIVEN,
                          price=Decimal(budget), currency="EUR", retailer="Demo Shop",
                          on=date(year - 1, month, min(day, 28)), id=_id("given", name)))
    maya = _id("person", "Maya Lindqvist")
    occasions.append(Occasion(kind="anniversary", month=9, day=14, year=2016, person_id=maya,
                              label="Our anniversary", lead_days=[21, 7, 1],
                              id=_id("anniversary", "Maya")))
    for category, what, feeling in MY_INTERESTS:
        interests.append(Interest(category=category, name=what, sentiment=Sentiment(feeling),
                                  id=_id("my-interest", what)))
    theo = _id("person", "Theo Brandt")
    purchases: list[object] = [
        Purchase(title="Dinosaur encyclopedia", on=date(year - 1, 8, 2), price=Decimal("24.90"),
                 currency="EUR", retailer="Demo Shop", category="books", gift_for=theo,
                 personalize=False, id=_id("purchase", 1)),
        Purchase(title="Northern Lights Trio: Aurora (vinyl)", on=date(year - 1, 10, 11),
                 price=Decimal("29.00"), currency="EUR", retailer="Demo Shop",
                 category="music", id=_id("purchase", 2)),
        Purchase(title="Cycling gloves", on=date(year, 1, 20), price=Decimal("19.50"),
                 currency="EUR", retailer="Bike Corner", category="sports",
                 id=_id("purchase", 3)),
        Purchase(title="Wedding gift set", on=date(year, 2, 3), price=Decimal("60.00"),
                 currency="EUR", retailer="Demo Shop", category="home", personalize=False,
                 id=_id("purchase", 4)),
    ]
    return {Person: people, Interest: interests, Occasion: occasions, Gift: gifts,
            Purchase: purchases}


def build_demo_vault(
    path: Path, *, fresh: bool = False, kdf: KdfParams | None = None, remember: bool = False,
    today: date | None = None,
) -> None:
    """Write the demo vault at ``path`` (replacing it when ``fresh``)."""
    from profilekeeper.store.paths import sidecar_paths
    from profilekeeper.store.vault import Vault

    if fresh:
        shops = [_shop_db(path, shop[0]) for shop in (DEMO_SHOP, STRICT_SHOP)]
        for leftover in (path, *sidecar_paths(path), *shops):
            leftover.unlink(missing_ok=True)
    vault = Vault.create(path, DEMO_PASSPHRASE, kdf=kdf)
    try:
        fill_demo(vault, today)
        if remember:
            from profilekeeper.store import keys

            keys.remember(vault.vault_id, vault.data_key)
            vault.set_remembered(True)
    finally:
        vault.close()


def demo_profile(profile: Profile) -> Profile:
    """``profile`` as the demo shopper's: Alex in Lisbon, opted in to personalization."""
    return replace(profile, display_name="Alex", city="Lisbon", opted_in=True,
                   shipping={"preference": "pickup point"})


def fill_demo(vault: Vault, today: date | None = None) -> None:
    with vault.transaction():
        vault.save(demo_profile(vault.profile()))
        for records in demo_records(today).values():
            vault.add_all(records)


# The demo's two shops: one whose terms the demo shopper accepts (connected, some slices
# granted, suggestions fetched), one that keeps data two years, so connecting it is refused.
DEMO_SHOP = ("demo-shop", DEMO_RETAILER_NAME, 90)
STRICT_SHOP = ("keep-it-all", "Keep-It-All Market (local)", 730)
DEMO_GRANTS = ("greeting", "interests.music", "interests.films", "location.city", "purchases",
               "occasions.upcoming")  # fmt: skip
DEMO_GIFTEES = tuple(name for name, *_ in PEOPLE if name != "Jonas Weber")
"""The people whose slice the demo shop receives (by a per-shop ref, never by name): all but a
colleague, so the demo also shows someone kept from the shop."""


@dataclass(frozen=True)
class DemoShops:
    servers: list[RunningServer]
    strict_url: str
    """The shop whose terms the demo shopper refuses: try connecting it in Sharing."""

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def _shop_db(path: Path, shop_id: str) -> Path:
    return path.with_name(f"demo-{shop_id}.sqlite3")


def _start_shop(path: Path, shop: tuple[str, str, int]) -> RunningServer:
    from profilekeeper.sync.server import (
        DEFAULT_TERMS,
        RunningServer,
        ServerSettings,
        build_app,
    )

    shop_id, name, retention = shop
    settings = ServerSettings(retailer_id=shop_id, retailer_name=name,
                              terms=DEFAULT_TERMS.model_copy(update={"retention_days": retention}))
    return RunningServer(build_app(f"sqlite:///{_shop_db(path, shop_id)}", settings=settings))


def start_demo_shops(path: Path) -> DemoShops | None:
    """Start the demo's two shops on 127.0.0.1 and bring the demo vault up to date with them:
    the first connected and synced, an attempt on the second refused and in the activity log.
    None when the retailer server is not installed."""
    try:
        import fastapi  # noqa: F401  (the reference server's; optional for the demo)
    except ImportError:
        return None
    shop_known = _shop_db(path, DEMO_SHOP[0]).exists()
    servers = [_start_shop(path, DEMO_SHOP), _start_shop(path, STRICT_SHOP)]
    try:
        asyncio.run(_bring_up_to_date(path, servers[0].base_url, servers[1].base_url,
                                      relink=not shop_known))  # fmt: skip
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return DemoShops(servers, servers[1].base_url)


async def _bring_up_to_date(path: Path, url: str, strict_url: str, *, relink: bool) -> None:
    from profilekeeper import services
    from profilekeeper.model import Activity, Grant, ShareRecord, Suggestion
    from profilekeeper.services.shops import shops
    from profilekeeper.store.vault import Vault

    with Vault.open(path) as vault:
        vault.unlock(DEMO_PASSPHRASE)
        known = [s for s in shops(vault) if s.name == DEMO_RETAILER_NAME]
        shop = known[0] if known and known[0].link_id and not relink else None
        for stale in known if shop is None else ():  # a link the shop's database lost
            with vault.transaction():
                vault.delete_where(Grant, retailer_id=stale.id)
                vault.delete_where(Suggestion, retailer_id=stale.id)
                vault.delete(Retailer, stale.id)
        if shop is None:
            shop = (await services.connect_shop(vault, url, name=DEMO_RETAILER_NAME,
                                                use_keyring=False)).shop  # fmt: skip
            now = services.now_utc()
            for name in DEMO_GRANTS:
                services.grant_slice(vault, shop, name, now=now)
            for person in DEMO_GIFTEES:
                services.grant_slice(vault, shop, "people", person=person, now=now)
        else:  # the shop listens on a new port every run
            shop = vault.save(replace(shop, base_url=url))
        await services.sync_shops(vault, [shop])
        tried = any(r.action is Activity.CONNECT and r.shop_name == STRICT_SHOP[1]
                    for r in vault.list(ShareRecord))  # fmt: skip
        if not tried:
            with contextlib.suppress(services.TermsRefused):
                await services.connect_shop(vault, strict_url, name=STRICT_SHOP[1],
                                            use_keyring=False)  # fmt: skip


def synthetic_people(count: int, seed: int = 0) -> dict[type, list[object]]:
    """``count`` made-up people with two occasions and an interest each (for benchmarks)."""
    import random

    rng = random.Random(seed)
    people: list[object] = []
    occasions: list[object] = []
    interests: list[object] = []
    for n in range(count):
        person = Person(name=f"Person {n:05d}", relationship=rng.choice(["friend", "family"]),
                        id=_id("synthetic", seed, n))
        people.append(person)
        occasions.append(Occasion(kind="birthday", month=rng.randint(1, 12),
                                  day=rng.randint(1, 28), person_id=person.id))
        occasions.append(Occasion(kind="anniversary", month=rng.randint(1, 12),
                                  day=rng.randint(1, 28), person_id=person.id))
        interests.append(Interest(category="music", name=f"Band {rng.randint(1, 500)}",
                                  person_id=person.id))
    return {Person: people, Occasion: occasions, Interest: interests}
