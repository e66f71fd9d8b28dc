"""Codec: sealed rows open to the same records, and any tampering is a CorruptedRecord."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profilekeeper.errors import CorruptedRecord
from profilekeeper.model import (
    ENTITIES,
    Gift,
    GiftStatus,
    Grant,
    Occasion,
    Person,
    Profile,
)
from profilekeeper.store.codec import codec_for, dumps, record_aad
from profilekeeper.store.crypto import AesGcmCipher, new_data_key

CIPHER = AesGcmCipher(new_data_key())


def _row(record: object) -> tuple[object, ...]:
    """``(id, *refs, sealed)`` as the stores select it."""
    codec = codec_for(type(record))
    row = codec.to_row(record, CIPHER)
    return (row["id"], *(row[r] for r in codec.refs), row["sealed"])


def _sealed_by_hand(cls: type, record_id: str, refs: tuple[str | None, ...], payload: dict):
    codec = codec_for(cls)
    sealed = CIPHER.seal(dumps(payload), record_aad(codec.table, record_id, refs))
    return (record_id, *refs, sealed)


RECORDS = [
    Profile(display_name="Ann", opted_in=True, settings={"leap_day": "mar1"}),
    Person("Sam", budget=Decimal("30.50"), sizes={"shoe": "42"}),
    Occasion("birthday", 2, 29, 2000, person_id="p1", reminder_state={"2026": {"bought": "true"}}),
    Gift("Book", person_id="p1", occasion_id="o1", status=GiftStatus.GIVEN,
         price=Decimal("12.90"), on=date(2026, 3, 1)),
    Gift("Orphan", status=GiftStatus.BOUGHT),  # both references None
    Grant("r1", "interests.music", since=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_rows_open_to_equal_records_with_types_restored(record) -> None:
    opened = codec_for(type(record)).from_row(_row(record), CIPHER)
    assert opened == record
    for name in codec_for(type(record)).converters:
        value = getattr(record, name)
        assert type(getattr(opened, name)) is type(value), name  # Decimal, date, enum…


def test_every_entity_round_trips_its_defaults() -> None:
    samples = {Person: ("Sam",), Occasion: ("birthday", 1, 2), Gift: ("Scarf",)}
    for cls in (Profile, Person, Occasion, Gift):
        record = cls(*samples.get(cls, ()))
        assert codec_for(cls).from_row(_row(record), CIPHER) == record
    assert {codec_for(c).table for c in ENTITIES}  # every entity has a codec


def test_the_row_binds_its_id_and_references() -> None:
    gift = Gift("Book", person_id="p1", occasion_id="o1")
    record_id, person_id, occasion_id, sealed = _row(gift)
    codec = codec_for(Gift)
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for tampered in (
        ("other-id", person_id, occasion_id, sealed),  # a ciphertext copied to another row
        (record_id, "p2", occasion_id, sealed),  # re-pointed at another person
        (record_id, person_id, None, sealed),  # unlinked from its occasion
        (record_id, occasion_id, person_id, sealed),  # references swapped
        (record_id, person_id, occasion_id, flipped),
        (record_id, person_id, occasion_id, sealed[:10]),
        (record_id, person_id, occasion_id, b"\x02" + sealed[1:]),  # unknown format
    ):
        with pytest.raises(CorruptedRecord) as raised:
            codec.from_row(tampered, CIPHER)
        assert (raised.value.table, raised.value.record_id) == ("gifts", tampered[0])
    # A record sealed for another table does not open here, even with the same id.
    person = Person("Sam", id=record_id)
    with pytest.raises(CorruptedRecord):
        codec.from_row((record_id, None, None, _row(person)[-1]), CIPHER)


def test_authentic_but_unreadable_plaintext_is_corrupted_not_a_crash() -> None:
    aad = record_aad("people", "x", ())
    for plaintext in (b"not json", b"\xff\xfe", b'{"name": "Sam"} trailing'):
        with pytest.raises(CorruptedRecord):
            codec_for(Person).from_row(("x", CIPHER.seal(plaintext, aad)), CIPHER)


def test_authentic_plaintext_opens_as_json_loads_would_read_it() -> None:
    aad = record_aad("people", "x", ())
    spaced = CIPHER.seal(b' \n{"name": "Sam", "budget": "5"}\t ', aad)  # not how dumps writes
    assert codec_for(Person).from_row(("x", spaced), CIPHER) == Person(
        "Sam", budget=Decimal(5), id="x"
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=10,
)


@given(json_values, st.sampled_from(["", " ", "\n", "x", "]", " 1"]), st.booleans())
def test_the_fast_json_reader_is_json_loads(value, around, before) -> None:
    from profilekeeper.store.codec import _loads

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = around + text if before else text + around
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            _loads(text)
    else:
        assert _loads(text) == expected


@given(st.dictionaries(st.text(), json_values | st.decimals(allow_nan=False) | st.dates()))
def test_the_set_up_encoder_writes_what_json_dumps_writes(payload) -> None:
    from profilekeeper.store.codec import _json_default

    assert dumps(payload) == json.dumps(
        payload, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode()


@given(st.text(), st.lists(st.none() | st.text(), max_size=3))
def test_the_per_table_associated_data_is_record_aad(record_id, refs) -> None:
    from profilekeeper.store.codec import _aad_of

    key = (record_id, *refs)
    assert _aad_of("gifts", len(refs))(key) == record_aad("gifts", record_id, refs)


def test_without_the_c_encoder_the_plain_one_writes_the_same(monkeypatch) -> None:
    import json.encoder

    from profilekeeper.store import codec

    payload = {"title": "Büch\n", "price": Decimal("2.50"), "on": date(2026, 1, 2), "n": [1.5]}
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    plain = codec._encoder()
    assert plain(payload) == codec._encode(payload) and plain is not codec._encode


def test_a_value_json_cannot_hold_is_refused_by_the_encoder() -> None:
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(ValueError):  # NaN is allowed, as by json.dumps; a lone surrogate is not
        dumps({"a": "\ud800"})


def test_fields_from_a_newer_release_are_ignored() -> None:
    payload = {"title": "Book", "status": "bought", "price": "9.5", "on": "2026-01-02",
               "gift_wrap": True, "notes": ""}  # fmt: skip
    gift = codec_for(Gift).from_row(_sealed_by_hand(Gift, "g1", ("p1", None), payload), CIPHER)
    assert gift == Gift("Book", person_id="p1", status=GiftStatus.BOUGHT, price=Decimal("9.5"),
                        on=date(2026, 1, 2), id="g1")  # fmt: skip
    plain = codec_for(Occasion).from_plain(
        {"kind": "birthday", "month": 1, "day": 2, "id": "o1", "colour": "red"}
    )
    assert plain == Occasion("birthday", 1, 2, id="o1")


def test_a_missing_required_field_is_still_refused() -> None:
    from profilekeeper.validation import Refused

    with pytest.raises(Refused) as missing:
        codec_for(Occasion).from_plain({"kind": "birthday", "month": 1, "colour": "red"})
    with pytest.raises(Refused) as unreadable:
        codec_for(Gift).from_plain({"title": "Book", "on": "yesterday"})
    assert (missing.value.field, unreadable.value.field) == ("day", "on")
