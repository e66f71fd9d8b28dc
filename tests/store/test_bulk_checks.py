"""The store's bulk reads and writes check every record as ``check_stored`` does, record by
record: the same records pass, the same are refused or reported damaged, naming the same field,
in the same order (validation.all_storable, Codec.to_params / open_rows)."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from conftest import every_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilekeeper.errors import CorruptedRecord, DamagedRecord
from profilekeeper.model import Gift, Occasion, Person
from profilekeeper.store.codec import codec_for, dumps, record_aad
from profilekeeper.store.crypto import (
    AesGcmCipher,
    InvalidTag,
    NullCipher,
    new_data_key,
    seal_all,
)
from profilekeeper.validation import Refused, all_storable, check_stored, field_values

CIPHER = AesGcmCipher(new_data_key())
TEMPLATES = every_record("bulk")
ANY_VALUES: list[Any] = [None, 5, True, 1.5, "x", [], {}, date(2026, 2, 28), Decimal("3.5")]
ODD_VALUES: dict[str, list[Any]] = {
    "str": ["", " \t", "x", "\u00e9"],
    "int": [-1, 0, 1, 2, 12, 13, 28, 29, 30, 31, 32, 2023, 2024, 9000, 9001, True, "3"],
    "bool": [False, 0, 1],
    "float": [0.0, -2.5, float("nan"), float("inf"), 3, True],
    "Decimal": [Decimal("NaN"), Decimal("sNaN"), Decimal("-1"), Decimal("-0"), Decimal("0"),
                Decimal("Infinity"), Decimal("-Infinity"), Decimal("1e400"), Decimal("0.01"),
                Decimal("9999999.99"), Decimal("10000000"), 12],
    "date": [date(9999, 1, 1), date(9000, 12, 31), date(9001, 1, 1), date(1, 1, 1), "2026-01-02"],
    "datetime": ["2026-01-02"],
    "list[int]": [[], [0], [366], [367], [-1], [True], [1.0], ["1"], (1,)],
    "list[str]": [[], ["a"], [1], ("a",)],
    "dict[str, str]": [{}, {"a": "b"}, {"a": 1}, {1: "b"}],
    "dict[str, Any]": [{}, {"a": 1}, {1: "a"}, {"idle_lock_minutes": 5},
                       {"idle_lock_minutes": -1}, {"idle_lock_minutes": "5"},
                       {"idle_lock_minutes": float("nan")}, {"idle_lock_minutes": 10_001}],
    "dict[str, dict[str, str]]": [{}, {"2026": {"a": "b"}}, {"2026": {"a": 1}}, {"2026": "x"},
                                  {2026: {"a": "b"}}],
}  # fmt: skip
"""Values to put in a field by its annotation (and ``ANY_VALUES`` in any): some usable there,
most not, many at the edge of a rule."""


def _passes(record: object) -> bool:
    try:
        check_stored(record)
    except Refused:
        return False
    return True


@st.composite
def batches(draw: st.DrawFn, *, keys: bool = True) -> tuple[type, list[object]]:
    """Records of one type, most as the app writes them, some with odd values put in (in the
    id and references too, unless not ``keys``)."""
    template = draw(st.sampled_from(TEMPLATES))
    fixed = () if keys else ("id", *template.CLEAR)  # type: ignore[attr-defined]
    names = [f.name for f in fields(template) if f.name not in fixed]  # type: ignore[arg-type]
    hints = {f.name: str(f.type).removesuffix(" | None") for f in fields(template)}  # type: ignore[arg-type]
    records = []
    for _ in range(draw(st.integers(0, 6))):
        changes = {}
        for name in draw(st.lists(st.sampled_from(names), max_size=2)):
            odd = ODD_VALUES.get(hints[name], [])
            changes[name] = draw(st.sampled_from(odd + ANY_VALUES if odd else ANY_VALUES))
        records.append(replace(template, **changes))  # type: ignore[type-var]
    return type(template), records


def test_all_storable_finds_any_one_odd_value_among_usable_records() -> None:
    """Every odd value in every field of every record type, alone among usable records."""
    cases = 0
    for template in TEMPLATES:
        cls, values_of = type(template), field_values(type(template))
        for f in fields(template):  # type: ignore[arg-type]
            odd = ODD_VALUES.get(str(f.type).removesuffix(" | None"), [])
            for value in odd + ANY_VALUES:
                record = replace(template, **{f.name: value})  # type: ignore[type-var]
                rows = [values_of(template), values_of(record), values_of(template)]
                assert all_storable(cls, rows) == _passes(record), (cls, f.name, value)
                cases += 1
    assert cases > 500


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(batches())
def test_all_storable_is_every_record_passing_check_stored(batch) -> None:
    cls, records = batch
    rows = [field_values(cls)(r) for r in records]
    assert all_storable(cls, rows) == all(map(_passes, records))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(batches())
def test_writing_many_refuses_the_first_record_check_stored_refuses(batch) -> None:
    cls, records = batch
    first_wrong = next((r for r in records if not _passes(r)), None)
    if first_wrong is None:
        params = codec_for(cls).to_params(records, CIPHER, 7)
        assert [p[0] for p in params] == [r.id for r in records]  # type: ignore[attr-defined]
        return
    with pytest.raises(Refused) as alone:
        check_stored(first_wrong)
    with pytest.raises(Refused) as refused:
        codec_for(cls).to_params(records, CIPHER, 7)
    assert (refused.value.field, str(refused.value)) == (alone.value.field, str(alone.value))


def _sealed_payload(record: object) -> dict[str, Any]:
    """What the codec would seal for ``record`` (odd values and all), as plain JSON values."""
    codec = codec_for(type(record))
    payload = {n: getattr(record, n) for n in codec.sealed_fields}
    return json.loads(dumps(payload))  # type: ignore[no-any-return]


def _row(record: object, payload: object) -> tuple[object, ...]:
    codec = codec_for(type(record))
    key = (record.id, *(getattr(record, r) for r in codec.refs))  # type: ignore[attr-defined]
    sealed = CIPHER.seal(dumps(payload), record_aad(codec.table, key[0], key[1:]))  # type: ignore[arg-type]
    return (*key, sealed)


def _opened_one_by_one(cls: type, rows: list[tuple[object, ...]]) -> tuple[list, list]:
    """How the store opened rows before it checked them together: each row on its own, the
    record built from its payload and then checked (the oracle)."""
    codec = codec_for(cls)
    records, damaged = [], []
    for row in rows:
        record_id = row[0]
        try:
            aad = record_aad(codec.table, row[0], row[1:-1])  # type: ignore[arg-type]
            payload = json.loads(CIPHER.open(row[-1], aad))  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - any failure to open is "corrupted"
            damaged.append(("CorruptedRecord", record_id, None))
            continue
        if not isinstance(payload, dict):
            damaged.append(("DamagedRecord", record_id, ""))
            continue
        payload.update(zip(codec.refs, row[1:-1], strict=True), id=record_id)
        try:
            record = codec._build(payload)
            check_stored(record)
        except Refused as refused:
            damaged.append(("DamagedRecord", record_id, refused.field))
            continue
        records.append(record)
    return records, damaged


def _said(corrupted: list[CorruptedRecord]) -> list[tuple[str, str, str | None]]:
    return [(type(c).__name__, c.record_id, getattr(c, "field", None)) for c in corrupted]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(batches(keys=False), st.data())
def test_reading_many_reports_what_opening_each_alone_did(batch, data) -> None:
    cls, records = batch
    rows = []
    for record in records:
        payload: object = _sealed_payload(record)
        how = data.draw(st.sampled_from(["as is", "as is", "tampered", "a list", "no day",
                                         "from a newer release"]))  # fmt: skip
        if how == "a list":
            payload = [payload]
        elif how == "no day":  # an occasion without its day; other records do not miss one
            payload.pop("day", None)  # type: ignore[union-attr]
        elif how == "from a newer release":
            payload["gift_wrap"] = True  # type: ignore[index]
        row = _row(record, payload)
        if how == "tampered":
            row = (*row[:-1], row[-1][:-1] + bytes([row[-1][-1] ^ 1]))  # type: ignore[index]
        rows.append(row)
    expected_records, expected_damage = _opened_one_by_one(cls, rows)
    opened, corrupted = codec_for(cls).open_rows(rows, CIPHER)
    assert opened == expected_records
    assert _said(corrupted) == expected_damage
    assert all(type(c) in (CorruptedRecord, DamagedRecord) for c in corrupted)


def test_a_damaged_record_among_many_is_reported_in_its_place() -> None:
    people = [Person(f"P{i}", budget=Decimal(i)) for i in range(5)]
    rows = [_row(p, _sealed_payload(p)) for p in people]
    rows[1] = _row(people[1], {**_sealed_payload(people[1]), "budget": "NaN"})
    rows[3] = (*rows[3][:-1], rows[2][-1])  # another record's envelope: does not open
    opened, corrupted = codec_for(Person).open_rows(rows, CIPHER)
    assert [p.name for p in opened] == ["P0", "P2", "P4"]
    assert _said(corrupted) == [("DamagedRecord", people[1].id, "budget"),
                                ("CorruptedRecord", people[3].id, None)]  # fmt: skip


def test_every_record_of_a_bulk_write_gets_its_own_nonce_and_binding() -> None:
    gifts = [Gift("Book", person_id="p1") for _ in range(200)]
    params = codec_for(Gift).to_params(gifts, CIPHER, 1)
    nonces = {p[-1][1:13] for p in params}
    assert len(nonces) == len(gifts)
    rows = [(p[0], p[1], p[2], p[-1]) for p in params]
    opened, corrupted = codec_for(Gift).open_rows(rows, CIPHER)
    assert opened == gifts and not corrupted
    swapped = [(r[0], "p2", r[2], r[3]) for r in rows[:3]]  # re-pointed at another person
    opened, corrupted = codec_for(Gift).open_rows(swapped, CIPHER)
    assert not opened and _said(corrupted) == [("CorruptedRecord", r[0], None) for r in rows[:3]]


def test_seal_all_is_seal_of_each() -> None:
    plaintexts, aads = [b"a", b"", b"c" * 300], [b"pk1|x|1", b"pk1|x|2", b"pk1|x|3"]
    for cipher in (CIPHER, NullCipher()):
        sealed = seal_all(cipher, plaintexts, aads)
        assert [cipher.open(s, a) for s, a in zip(sealed, aads, strict=True)] == plaintexts
    with pytest.raises(InvalidTag):
        CIPHER.open(seal_all(CIPHER, plaintexts, aads)[0], aads[1])


def test_a_record_of_another_type_is_refused_before_any_is_sealed() -> None:
    with pytest.raises(TypeError, match="not a Person"):
        codec_for(Person).to_params([Person("A"), Occasion("birthday", 1, 1)], CIPHER, 0)  # type: ignore[list-item]


def test_a_refused_record_before_one_of_another_type_is_what_is_said() -> None:
    """Records are judged in order: one the rules refuse, before a stranger, is reported."""
    with pytest.raises(Refused) as refused:
        codec_for(Person).to_params(
            [Person("A"), Person(" "), Occasion("birthday", 1, 1)], CIPHER, 0)  # type: ignore[list-item]
    with pytest.raises(Refused) as alone:
        check_stored(Person(" "))
    assert str(refused.value) == str(alone.value)
