"""The records use cases (services/records.py, people.py), and the two front ends that call
them.

Each of #21's disagreements is run through both: the CLI in-process (``main([...])``, the vault
made with the fast test KDF) and the app through Pilot, against one vault file, and both must
give the same answer: the one the service gives.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from profilekeeper.cli import main
from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import Gift, Interest, Occasion, Person, Purchase, Sentiment
from profilekeeper.screens.forms import InterestForm, OccasionForm, PurchaseForm
from profilekeeper.screens.me import MeScreen
from profilekeeper.screens.person import PersonScreen
from profilekeeper.services import people, records
from profilekeeper.validation import Refused
from tests.conftest import PASSPHRASE
from tests.tui.conftest import make, memory_keyring, reopen  # noqa: F401 - fixtures
from tests.tui.test_flows import SIZE, click, error_text, fill, remember, settle


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``profilekeeper ARGS`` in this process: its exit status and its one line of output."""
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, (err or out).strip()

    return run


@pytest.fixture
def sam(vault) -> Iterator[Person]:  # type: ignore[no-untyped-def]
    """Sam, in a vault the app opens from the (in-memory) keyring and the CLI by passphrase."""
    remember(vault)
    yield vault.add(Person(name="Sam"))


async def open_person(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("3", "enter")  # People, the first (only) person
    await settle(pilot)
    assert isinstance(pilot.app.screen, PersonScreen)


# -- (2) a second birthday or anniversary ----------------------------------------------------


@pytest.mark.parametrize(("kind", "one"), [("birthday", "a birthday"),
                                           ("anniversary", "an anniversary")])  # fmt: skip
async def test_a_second_birthday_is_refused_by_the_cli_and_the_app_alike(
    make, vault, sam: Person, vault_path: Path, cli, kind: str, one: str  # noqa: F811
) -> None:
    vault.add(Occasion(kind, 3, 14, person_id=sam.id))
    code, said = cli("occasion", "add", "sam", kind, "--07-01")
    assert (code, said) == (2, f"profilekeeper: that person has {one} already; remove it first")

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_person(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OccasionForm)
        app.screen.query_one("#kind", Select).value = kind
        await fill(pilot, date="--07-01")
        await click(pilot, "#save")
        assert isinstance(app.screen, OccasionForm)  # refused inline, the form stays open
        assert error_text(app) == said.removeprefix("profilekeeper: ").capitalize()
    with reopen(vault_path) as check:
        assert [(o.kind, o.month) for o in check.list(Occasion)] == [(kind, 3)]


def test_the_one_birthday_rule_holds_the_write_lock_from_check_to_write(
    vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program cannot add Sam's birthday between the check and the write."""
    sam = vault.add(Person(name="Sam"))
    check = people._check_one_a_person
    locked: list[bool] = []

    def check_then_try_to_write(v: object, occasion: Occasion) -> None:
        check(v, occasion)  # type: ignore[arg-type]
        other = sqlite3.connect(vault_path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            locked.append(False)
        except sqlite3.OperationalError as error:
            locked.append("locked" in str(error))
        finally:
            other.close()

    monkeypatch.setattr(people, "_check_one_a_person", check_then_try_to_write)
    people.add_occasion(vault, sam.id, people.occasion_from("birthday", "--03-14"))
    people.save_occasion(vault, people.occasion_from("anniversary", "2015-06-01",
                                                     base=Occasion("x", 1, 1, sam.id)))
    assert locked == [True, True]


def test_changing_an_occasion_into_a_second_birthday_is_refused(vault) -> None:
    sam = vault.add(Person(name="Sam"))
    people.add_occasion(vault, sam.id, people.occasion_from("birthday", "--03-14"))
    name_day = people.add_occasion(vault, sam.id, people.occasion_from("name day", "--05-05"))
    again = people.save_occasion(vault, people.occasion_from(lead="7", base=name_day))
    assert again.lead_days == [7]  # changing the other one is fine
    with pytest.raises(Conflict, match="has a birthday already"):
        people.save_occasion(vault, people.occasion_from("Birthday", base=name_day))
    assert sorted(o.kind for o in vault.list(Occasion)) == ["birthday", "name day"]


# -- (3) a repeated interest -------------------------------------------------------------


async def test_a_repeated_interest_is_merged_by_the_cli_and_the_app_alike(
    make, vault, sam: Person, vault_path: Path, cli  # noqa: F811
) -> None:
    vault.add(Interest("music", "Nina Simone", person_id=sam.id))
    assert cli("interest", "add", " Music", "nina   SIMONE", "--person", "Sam",
               "--sentiment", "love") == (0, "Updated 1 interest.")  # fmt: skip
    with reopen(vault_path) as check:
        assert [(i.name, i.sentiment) for i in check.list(Interest)] == [
            ("Nina Simone", Sentiment.LOVE)]  # fmt: skip

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_person(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InterestForm)
        app.screen.query_one("#sentiment", Select).value = "never"
        await fill(pilot, name="  NINA  simone ")  # category: music, the form's first
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
    with reopen(vault_path) as check:
        [interest] = check.list(Interest)
        assert (interest.category, interest.name, interest.sentiment, interest.person_id) == (
            "music", "Nina Simone", Sentiment.NEVER, sam.id)  # fmt: skip


def test_an_interest_renamed_onto_another_becomes_one(vault) -> None:
    jazz = records.add_interest(vault, records.interest_from("music", "Jazz"), None)[0]
    pop = records.add_interest(vault, records.interest_from("music", "Pop"), None)[0]
    kept = records.save_interest(vault, records.interest_from(name="JAZZ", sentiment="love",
                                                              base=pop))  # fmt: skip
    assert kept.id == jazz.id
    assert [(i.name, i.sentiment) for i in vault.list(Interest)] == [("Jazz", Sentiment.LOVE)]
    # One person's interest is not another's: Sam's jazz is a second record.
    sam = vault.add(Person(name="Sam"))
    assert records.add_interest(vault, records.interest_from("music", "jazz"), sam.id)[1]
    assert vault.count(Interest) == 2


# -- (4) a purchase category ---------------------------------------------------------------


async def test_a_purchase_category_is_lower_cased_by_the_cli_and_the_app_alike(
    make, vault, sam: Person, vault_path: Path, cli  # noqa: F811
) -> None:
    assert cli("purchase", "add", "Dune", "--category", "Science  Fiction") == (
        0, "Added 1 purchase.")  # fmt: skip
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, MeScreen)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, PurchaseForm)
        await fill(pilot, title="Foundation", category="SCIENCE Fiction ")
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, MeScreen)
    with reopen(vault_path) as check:
        assert sorted((p.title, p.category) for p in check.list(Purchase)) == [
            ("Dune", "science fiction"), ("Foundation", "science fiction")]  # fmt: skip


# -- the rest of the use cases, without a front end -----------------------------------------


def test_values_that_do_not_parse_name_their_field_and_say_the_rule_alone() -> None:
    for call, field, words in (
        (lambda: people.person_from("Sam", budget="lots"), "budget", "amounts are written"),
        (lambda: people.occasion_from("birthday", "15/03"), "date", "YYYY-MM-DD"),
        (lambda: people.occasion_from("party", "--03-15", lead="soon"), "lead_days",
         "lead times"),
        (lambda: records.gift_from("Scarf", on="yesterday"), "on", "YYYY-MM-DD"),
        (lambda: records.gift_from("Scarf", status="lost"), "status", "idea, bought, given"),
        (lambda: records.purchase_from("Book", price="-1"), "price", "zero or more"),
        (lambda: people.person_from("Sam", sizes="large"), "sizes", "shirt=M"),
    ):
        with pytest.raises(Refused) as caught:
            call()
        assert caught.value.field == field
        assert words in str(caught.value) and not str(caught.value).startswith(f"{field}:")


def test_blank_values_mean_none_and_values_not_given_keep_the_record_s() -> None:
    sam = people.person_from("  Sam   Lee ", budget="30", currency="eur", sizes="shirt=M")
    assert (sam.name, sam.budget, sam.currency, sam.sizes) == (
        "Sam Lee", Decimal("30"), "EUR", {"shirt": "M"})  # fmt: skip
    edited = people.person_from(relationship="friend", budget=" ", base=sam)
    assert (edited.id, edited.name, edited.budget, edited.sizes, edited.relationship) == (
        sam.id, "Sam Lee", None, {"shirt": "M"}, "friend")  # fmt: skip
    with pytest.raises(InvalidInput, match="an interest needs a category and a name"):
        records.interest_from("music", "   ")
    with pytest.raises(InvalidInput, match="an occasion needs a kind"):
        people.occasion_from(" ", "--03-15")


def test_people_occasions_gifts_and_the_profile_through_the_service(vault) -> None:
    birthday = people.occasion_from("birthday", "--03-14")
    sam = people.add_person(vault, people.person_from("Sam"), [birthday])
    with pytest.raises(Conflict, match="exists already"):
        people.add_person(vault, people.person_from("SAM"))
    gift = records.add_gift(vault, records.gift_from("Scarf", price="12,50"), sam.id, "Birthday")
    assert (gift.person_id, gift.occasion_id, gift.price) == (sam.id, birthday.id, Decimal("12.50"))
    with pytest.raises(NotFound, match="no occasion of that kind"):
        records.add_gift(vault, records.gift_from("Hat"), sam.id, "wedding")
    bought = records.add_purchase(vault, records.purchase_from("Book"), gift_for=sam.id)
    assert bought.personalize is False  # a gift never personalizes
    assert people.remove_occasions(vault, sam.id, " BIRTHDAY ") == 1
    assert vault.get(type(gift), gift.id).occasion_id is None  # the gift stays, untied
    profile = records.set_profile(vault, name="Ann", leap_day="mar1", address="Main St 1")
    again = records.set_profile(vault, city="Tampere", address="")
    assert (again.display_name, again.city, again.shipping, again.settings["leap_day"]) == (
        "Ann", "Tampere", {}, "mar1")  # fmt: skip
    assert profile.shipping == {"address": "Main St 1"}
    with pytest.raises(InvalidInput, match="leap day"):
        records.set_profile(vault, leap_day="feb29")
    with pytest.raises(Conflict, match="gift records"):
        people.remove_person(vault, "sam")
    assert people.remove_person(vault, " sam ", gifts="delete") == 1
    assert vault.count(Person) == 0


# -- removing one record, as the screens do it (by id) --------------------------------------


async def test_removing_an_interest_takes_its_copies_in_the_cli_and_the_app_alike(
    make, vault, vault_path: Path, cli  # noqa: F811
) -> None:
    """A copy left from before the merge rule (another case, other spacing) is the same
    interest: ``interest remove`` takes both, and so must the app's Remove on either line."""
    remember(vault)

    def two_copies() -> None:
        vault.add(Interest("music", "Synth pop"))
        vault.add(Interest("music", "SYNTH  pop"))  # stored as written, bypassing the service

    two_copies()
    assert cli("interest", "remove", "Music", "synth pop") == (0, "Removed 2 interests.")
    with reopen(vault_path) as check:
        assert check.count(Interest) == 0

    two_copies()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # Me: my interests
        await settle(pilot)
        assert isinstance(app.screen, MeScreen)
        await pilot.press("x")
        await settle(pilot)
        await click(pilot, "#yes")
        await settle(pilot)
    with reopen(vault_path) as check:
        assert check.count(Interest) == 0  # not one copy left behind


def test_one_record_removed_by_id_through_the_service(vault) -> None:
    sam = vault.add(Person(name="Sam"))
    birthday = people.add_occasion(vault, sam.id, people.occasion_from("birthday", "--03-14"))
    gift = records.add_gift(vault, records.gift_from("Scarf"), sam.id, "birthday")
    book = records.add_purchase(vault, records.purchase_from("Book"))
    jazz = records.add_interest(vault, records.interest_from("music", "Jazz"), sam.id)[0]

    people.remove_occasion(vault, birthday.id)
    assert vault.get(Gift, gift.id).occasion_id is None  # the gift stays, untied
    assert records.remove_interest_by_id(vault, jazz.id) == 1
    records.remove_gift(vault, gift.id)
    records.remove_purchase(vault, book.id)
    assert [vault.count(c) for c in (Occasion, Interest, Gift, Purchase)] == [0, 0, 0, 0]
    for remove, gone in ((people.remove_occasion, birthday.id),
                         (records.remove_interest_by_id, jazz.id),
                         (records.remove_gift, gift.id), (records.remove_purchase, book.id),
                         (people.remove_person_by_id, "no-such-id")):  # fmt: skip
        with pytest.raises(NotFound):
            remove(vault, gone)
    assert vault.count(Person) == 1  # nothing else went with them


def test_removing_a_person_by_id_keeps_or_deletes_their_gifts_as_asked(vault) -> None:
    sam, kim = (vault.add(Person(name=n)) for n in ("Sam", "Kim"))
    for who in (sam, kim):
        records.add_gift(vault, records.gift_from("Scarf"), who.id)
    with pytest.raises(Conflict, match="gift records"):
        people.remove_person_by_id(vault, sam.id)
    assert people.remove_person_by_id(vault, sam.id, "keep") == 1
    assert people.remove_person_by_id(vault, kim.id, "delete") == 1
    assert vault.count(Person) == 0
    assert [g.person_id for g in vault.list(Gift)] == [None]  # Sam's, tied to no one
