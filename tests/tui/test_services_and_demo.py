"""The plain-Python parts behind the screens: services, the demo vault, the palette."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from profilekeeper import services
from profilekeeper.demo import DEMO_PASSPHRASE, build_demo_vault
from profilekeeper.model import Gift, GiftStatus, Occasion, Person, Purchase
from tests.conftest import FAST_KDF, count_opens
from tests.tui.conftest import TODAY


def test_passphrase_hint_grows_with_length() -> None:
    phrases = ("", "short", "eightch!", "four words make a phrase")
    scores = [services.passphrase_hint(p)[0] for p in phrases]
    assert scores == sorted(scores)
    assert "at least 8" in services.passphrase_hint("short")[1]


def test_people_sorted_by_next_occasion_and_searchable(vault) -> None:  # type: ignore[no-untyped-def]
    late = vault.add(Person(name="Late"))
    soon = vault.add(Person(name="Soon", relationship="aunt"))
    vault.add(Person(name="Nodate"))
    vault.add(Occasion(kind="birthday", month=12, day=1, person_id=late.id))
    vault.add(Occasion(kind="birthday", month=3, day=5, person_id=soon.id))
    rows = services.people_rows(vault, TODAY)
    assert [r.person.name for r in rows] == ["Soon", "Late", "Nodate"]
    assert rows[0].next_date == date(2026, 3, 5)
    assert [r.person.name for r in services.people_rows(vault, TODAY, "AUNT")] == ["Soon"]


def test_names_of_reads_only_the_people_asked_for(vault) -> None:  # type: ignore[no-untyped-def]
    sam, kim = vault.add(Person(name="Sam")), vault.add(Person(name="Kim"))
    gone = vault.add(Person(name="Gone"))
    services.remove_person_by_id(vault, gone.id)
    opened = count_opens(vault)
    assert services.names_of(vault, {sam.id, gone.id}) == {sam.id: "Sam"}  # gone: left out
    assert len(opened) == 1 and sam.id.encode() in opened[0]  # Sam's record only, not Kim's
    assert kim.id.encode() not in opened[0]


def test_gifts_grouped_by_year_then_occasion() -> None:
    birthday = Occasion(kind="birthday", month=1, day=2)
    gifts = [
        Gift(title="Idea", status=GiftStatus.IDEA),
        Gift(title="Book", status=GiftStatus.GIVEN, on=date(2024, 1, 2), occasion_id=birthday.id),
        Gift(title="Mug", status=GiftStatus.BOUGHT, on=date(2025, 5, 1)),
    ]
    grouped = services.gifts_by_year(gifts, [birthday])
    assert list(grouped) == [2025, 2024]
    assert [g.title for g in grouped[2024]["birthday"]] == ["Book"]
    assert [g.title for g in grouped[2025]["no occasion"]] == ["Mug"]


def test_purchase_marked_as_gift(vault) -> None:  # type: ignore[no-untyped-def]
    theo = vault.add(Person(name="Theo"))
    bought = vault.add(Purchase(title="Toy", price=Decimal("5")))
    services.mark_purchase_as_gift(vault, bought.id, theo.id)
    services.toggle_personalize(vault, bought.id)
    stored = vault.get(Purchase, bought.id)
    assert (stored.gift_for, stored.personalize) == (theo.id, False)


def test_demo_vault_is_the_same_every_build(tmp_path: Path) -> None:
    from profilekeeper.store.vault import Vault

    contents = []
    for name in ("a.sqlite3", "b.sqlite3"):
        build_demo_vault(tmp_path / name, kdf=FAST_KDF, today=TODAY)
        with Vault.open(tmp_path / name) as vault:
            vault.unlock(DEMO_PASSPHRASE)
            assert not vault.header.remembered
            contents.append(sorted((p.id, p.name) for p in vault.list(Person)))
            assert vault.count(Occasion) > len(contents[-1])
    assert contents[0] == contents[1]
    assert len(contents[0]) >= 10


async def test_palette_offers_every_action_only_when_unlocked(make, vault) -> None:  # type: ignore[no-untyped-def]
    from profilekeeper.commands import COMMANDS, ProfileKeeperCommands

    vault.close()
    app = make()
    async with app.run_test() as pilot:
        await pilot.pause()
        provider = ProfileKeeperCommands(app.screen)
        assert [hit async for hit in provider.discover()] == []
        app.vault.unlock("correct horse battery")  # type: ignore[union-attr]
        names = [hit.text async for hit in provider.discover()]
        assert {name for name, *_ in COMMANDS} <= set(names)
        assert "Import contacts (.vcf)" in names and "Export calendar (.ics)" in names
