"""Gifts received (#17 §6): recorded, listed as thank-you notes owed, marked thanked; never the
owner's gift for reminders, never a purchase for sharing; kept through old vaults and exports."""

from __future__ import annotations

import json
from datetime import date

import pytest

from profilekeeper import services
from profilekeeper.errors import NotFound
from profilekeeper.model import Gift, GiftStatus, Occasion, Person, Purchase
from profilekeeper.reminders import due, upcoming
from profilekeeper.services import records
from profilekeeper.store.codec import codec_for
from profilekeeper.store.readonly import ReadOnlyVault
from profilekeeper.validation import Refused
from tests.conftest import PASSPHRASE, run_main

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def kim(vault):  # type: ignore[no-untyped-def]
    return vault.add(Person(name="Kim"))


def test_only_a_gift_received_is_thanked_for() -> None:
    socks = records.gift_from("Socks", status="received", thanked=True)
    assert (socks.status, socks.thanked) == (GiftStatus.RECEIVED, True)
    with pytest.raises(Refused) as refused:
        records.gift_from("Book", status="bought", thanked=True)
    assert refused.value.field == "thanked"
    # No longer received (a record corrected): the flag goes with it.
    assert records.gift_from(status="given", base=socks).thanked is False
    assert records.gift_from(title="Wool socks", base=socks).thanked is True  # kept


def test_notes_owed_list_the_unthanked_longest_waiting_first(vault, kim) -> None:
    lou = vault.add(Person(name="Lou"))
    vault.add_all([
        Gift("Jam", person_id=kim.id, status=GiftStatus.RECEIVED, on=date(2026, 2, 1)),
        Gift("Mug", person_id=lou.id, status=GiftStatus.RECEIVED, on=date(2026, 1, 5)),
        Gift("Pen", person_id=lou.id, status=GiftStatus.RECEIVED),  # undated: last
        Gift("Hat", person_id=kim.id, status=GiftStatus.RECEIVED, thanked=True),
        Gift("Vase", person_id=kim.id, status=GiftStatus.BOUGHT),
        Gift("Idea", person_id=kim.id),
    ])  # fmt: skip
    owed = services.notes_owed(vault)
    assert [(n.gift.title, n.from_name) for n in owed] == [("Mug", "Lou"), ("Jam", "Kim"),
                                                          ("Pen", "Lou")]  # fmt: skip
    services.thank_for(vault, kim.id, "  JAM ")
    services.set_thanked(vault, owed[0].gift.id)
    assert [n.gift.title for n in services.notes_owed(vault)] == ["Pen"]
    services.set_thanked(vault, owed[0].gift.id, thanked=False)
    assert [n.gift.title for n in services.notes_owed(vault)] == ["Mug", "Pen"]
    with pytest.raises(NotFound):
        services.thank_for(vault, kim.id, "Vase")  # bought, not received


def test_received_unthanked_and_thanked_through_the_cli(vault, kim, fast_kdf) -> None:
    vault.add(Gift("Vase", person_id=kim.id, status=GiftStatus.BOUGHT))
    vault.close()
    added = run_main("gift", "add", "Kim", "Warm socks", "--status", "received",
                     "--date", "2026-04-02", env=UNLOCK)  # fmt: skip
    assert (added.code, added.out) == (0, "Added 1 gift received.\n")
    run_main("gift", "add", "Kim", "Old scarf", "--status", "received", env=UNLOCK)
    assert run_main("gift", "thanked", "Kim", "old scarf", env=UNLOCK).code == 0

    def titles(*flags: str) -> list[str]:
        result = run_main("gift", "list", *flags, "--json", env=UNLOCK)
        assert result.code == 0, result.err
        return [g["title"] for g in json.loads(result.out)]

    assert titles() == ["Vase", "Old scarf", "Warm socks"]
    assert titles("--received") == ["Old scarf", "Warm socks"]
    assert titles("--received", "--unthanked") == ["Warm socks"]
    assert titles("--unthanked") == ["Warm socks"]
    text = run_main("gift", "list", "--unthanked", env=UNLOCK).out
    assert "Warm socks  received, note owed" in text and "2026-04-02" in text
    done = run_main("gift", "thanked", "Kim", "Warm socks", env=UNLOCK)
    assert (done.code, done.out) == (0, "Marked 1 gift(s) thanked for.\n")
    assert titles("--unthanked") == []
    assert run_main("gift", "list", "--unthanked", env=UNLOCK).out == "No thank-you notes owed.\n"
    assert run_main("gift", "thanked", "Kim", "Warm socks", "--undo", env=UNLOCK).code == 0
    assert titles("--unthanked") == ["Warm socks"]
    missing = run_main("gift", "thanked", "Kim", "Vase", env=UNLOCK)
    assert missing.code == 4 and "no gift of that title received" in missing.err


def test_a_gift_received_is_never_the_owners_gift_for_a_reminder() -> None:
    kim = Person("Kim")
    birthday = Occasion("birthday", 5, 10, person_id=kim.id)
    today = date(2026, 5, 1)
    for on in (date(2026, 4, 20), date(2026, 5, 10), None):
        gift = Gift("Cake", person_id=kim.id, occasion_id=birthday.id,
                    status=GiftStatus.RECEIVED, on=on, thanked=True)  # fmt: skip
        [item] = due([birthday], [kim], [gift], today, 30)  # still nags
        assert (item.gift_status, item.top_ideas) == ("no idea yet", ())
        [seen] = upcoming([birthday], [kim], [gift], today, 30)
        assert seen.gift_status == "no idea yet"
    bought = Gift("Cake", person_id=kim.id, occasion_id=birthday.id, status=GiftStatus.BOUGHT,
                  on=date(2026, 4, 20))  # fmt: skip
    assert due([birthday], [kim], [bought], today, 30) == []  # the check above could fail


def test_records_without_the_flag_read_as_not_thanked_and_exports_keep_it(
    vault, kim, vault_path
) -> None:
    codec = codec_for(Gift)
    old = codec.to_plain(Gift("Socks", person_id=kim.id, status=GiftStatus.RECEIVED))
    del old["thanked"]  # as a vault written before the flag existed holds it
    assert codec.from_plain(old).thanked is False
    thanked = vault.add(Gift("Jam", person_id=kim.id, status=GiftStatus.RECEIVED, thanked=True,
                             on=date(2026, 1, 2)))  # fmt: skip
    with ReadOnlyVault(vault_path) as reader:  # the reminder fast path's store
        reader.unlock(PASSPHRASE)
        assert reader.load(Gift, person_id={kim.id}) == [thanked]
    text = services.export_json_text(vault)
    services.import_json_text(vault, text, replace=True)
    assert vault.get(Gift, thanked.id) == thanked


def test_a_gift_received_is_not_a_purchase_shared_with_shops(vault, kim) -> None:
    from dataclasses import fields

    from profilekeeper.sync.slices import Notes, ProfileSource, purchases_slice

    # What slices are built from holds no gifts at all: ``purchases`` is Purchase records.
    assert not [f.name for f in fields(ProfileSource) if "Gift" in str(f.type)]
    vault.add(Gift("Socks", person_id=kim.id, status=GiftStatus.RECEIVED, on=date(2026, 1, 2)))
    vault.add(Purchase(title="Boots", on=date(2026, 1, 3)))
    shared = purchases_slice(vault.list(Purchase), Notes())
    assert [i.title for i in shared.items] == ["Boots"]
