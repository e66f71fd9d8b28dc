"""Turning domain records into sealed rows and back, without SQLAlchemy.

A row is ``id``, the record's CLEAR reference columns, and ``sealed``: one AEAD envelope holding
every other field as JSON. The associated data binds the envelope to its table, its record id
and its references, so a ciphertext copied into another row, or a gift re-pointed at another
person, fails to open. A record is checked against the storable rules (``validation``) both
ways: one that breaks them is never sealed, and one that opens but breaks them (an older
release's, or one sealed by hand) is a ``DamagedRecord``, which readers report and leave out.
The records of one read or write are checked together (``validation.all_storable``), and one
by one only when some record breaks a rule, to say which.
"""

from __future__ import annotations

import json
import json.encoder
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import starmap
from json.scanner import make_scanner
from operator import itemgetter
from typing import Any, Generic, TypeVar

from profilekeeper.errors import CorruptedRecord, DamagedRecord
from profilekeeper.store.crypto import Cipher, InvalidTag, seal_all
from profilekeeper.validation import (
    Refused,
    all_storable,
    check_stored,
    check_values,
    field_values,
)

T = TypeVar("T")
Convert = Callable[[Any], Any]
_DECODER = json.JSONDecoder()
# The C scanner json.loads ends in (typeshed wants a make_scanner where any decoder works).
_scan = make_scanner(_DECODER)  # type: ignore[arg-type]


def _loads(text: str) -> Any:
    """``json.loads(text)``, at half the cost for what ``dumps`` wrote (thousands per remind)."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:  # not a value at 0: leading space, or not JSON
        return _DECODER.decode(text)
    return value if end == len(text) else _DECODER.decode(text)  # trailing space or extra data


def record_aad(table: str, record_id: str, refs: Iterable[str | None]) -> bytes:
    return "|".join(("pk1", table, record_id, *(r or "" for r in refs))).encode()


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__}")


def _encoder() -> Callable[[Any], str]:
    """``json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)``,
    set up once, not per record: the C encoder ``JSONEncoder.encode`` makes for each call,
    made here once (test_codec.py checks the two agree). Values nest only as deep as a
    record's fields (no circular check: ``check_stored`` lets through only JSON-like data)."""
    plain = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_json_default)
    make = getattr(json.encoder, "c_make_encoder", None)  # None without the C accelerator
    try:
        # Its arguments, as json.encoder passes them (3.11 to 3.14).
        chunks = make(None, _json_default, json.encoder.encode_basestring, None, ":", ",",
                      False, False, True)  # type: ignore[misc]  # fmt: skip
        sample = {"a": [1, 2.5, None, True], "b": "é\n\"", "c": Decimal("1.10"), "d": {}}
        if "".join(chunks(sample, 0)) == plain.encode(sample):
            return lambda value: "".join(chunks(value, 0))
    except TypeError:  # no C encoder, or one taking other arguments: the plain way
        pass
    return plain.encode


_encode = _encoder()


def dumps(payload: Mapping[str, Any]) -> bytes:
    return _encode(payload).encode()


def _enum(cls: type[Enum]) -> Convert:
    members = cls._value2member_map_  # a dict lookup, not Enum's call machinery

    def convert(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return cls(value)  # an alias, or ValueError

    return convert


def _converter(hint: Any) -> Convert | None:
    """How to rebuild a field from its JSON form, or None when JSON already has the right type."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else None  # None is left alone
    if hint is Decimal:
        return Decimal
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    return None


def _aad_of(table: str, refs: int) -> Callable[[Sequence[Any]], bytes]:
    """``record_aad(table, id, refs)`` for ``key = (id, *refs, …)`` (a key, or a whole row):
    the same bytes with less work (twice per record written or read). A key that is not text
    fails to open, as there."""
    head, join = f"pk1|{table}", "|".join  # join takes str only: TypeError for anything else
    if refs == 0:
        return lambda key: join((head, key[0])).encode()
    if refs == 1:
        return lambda key: join((head, key[0], key[1] or "")).encode()
    if refs == 2:
        return lambda key: join((head, key[0], key[1] or "", key[2] or "")).encode()
    return lambda key: join((head, key[0], *(k or "" for k in key[1 : 1 + refs]))).encode()


def _picker(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """``tuple(values[p] for p in positions)``, at C level (itemgetter of one gives no tuple)."""
    if len(positions) == 1:
        (only,) = positions
        return lambda values: (values[only],)
    return itemgetter(*positions)


class Codec(Generic[T]):
    """Seals and opens one record type. Build once per type with ``codec_for``."""

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls
        self.table: str = cls.TABLE  # type: ignore[attr-defined]
        self.refs: tuple[str, ...] = cls.CLEAR  # type: ignore[attr-defined]
        every = fields(cls)  # type: ignore[arg-type]
        if not all(f.init and not f.kw_only for f in every):
            raise TypeError(f"{cls.__name__}(*values) must take every field, in order")
        names = [f.name for f in every]
        self.field_names = names
        self._known_names = frozenset(names)  # set lookups: opening thousands of rows adds up
        self._required = [f.name for f in every
                          if f.default is MISSING and f.default_factory is MISSING]  # fmt: skip
        self.sealed_fields = [n for n in names if n != "id" and n not in self.refs]
        hints = typing.get_type_hints(cls)
        self.converters = {n: c for n in names if (c := _converter(hints[n])) is not None}
        self._convert = tuple(self.converters.items())
        self.columns = ("id", *self.refs, "sealed")
        """The columns ``from_row`` takes, in order."""
        # A record as its values in field order (what validation checks, and cls(*values)
        # takes), and the parts of those a row holds: the key (id and references) and what is
        # sealed, in order.
        self._values = field_values(cls)
        self._id_at = names.index("id")
        self._from_payload = itemgetter(*names)
        self._converting = tuple((names.index(n), c) for n, c in self._convert)
        self._key = _picker([names.index(n) for n in ("id", *self.refs)])
        self._sealed = _picker([names.index(n) for n in self.sealed_fields])
        self._aad = _aad_of(self.table, len(self.refs))

    # -- sealed rows ------------------------------------------------------------------------

    def to_row(self, record: T, cipher: Cipher) -> dict[str, Any]:
        """The sealed row; ``Refused`` (InvalidInput) if a field breaks the storable rules."""
        record_id, *refs, _, _, sealed = self.to_params([record], cipher, 0)[0]
        return {"id": record_id, **dict(zip(self.refs, refs, strict=True)), "sealed": sealed}

    def to_params(self, records: Iterable[T], cipher: Cipher, now: int) -> list[tuple[Any, ...]]:
        """``(id, *refs, created, updated, sealed)`` for each record, ``now`` as both times;
        ``Refused`` (InvalidInput) if a field of one breaks the storable rules, and then
        nothing is sealed."""
        records = records if isinstance(records, list) else list(records)
        cls = self.cls
        if not {cls}.issuperset(map(type, records)):
            for record in records:  # one by one, as the first at fault says what is wrong
                if type(record) is not cls:
                    raise TypeError(f"a {type(record).__name__} is not a {cls.__name__} record")
                check_stored(record)
        # Thousands per import or rotation: checked all together, then one pass per record.
        rows = list(map(self._values, records))
        if not all_storable(cls, rows):
            for values in rows:
                check_values(cls, values)  # raises for the first that breaks a rule
        keys = list(map(self._key, rows))
        sealed_of, names, encode = self._sealed, self.sealed_fields, _encode
        # (strict=False: sealed_of gives one value per name.)
        plaintexts = [encode(dict(zip(names, sealed_of(v), strict=False))).encode() for v in rows]
        sealed = seal_all(cipher, plaintexts, list(map(self._aad, keys)))
        return [(*key, now, now, envelope) for key, envelope in zip(keys, sealed, strict=True)]

    def from_row(self, row: Sequence[Any], cipher: Cipher) -> T:
        """Open a row given as ``(id, *refs, sealed)``; raise CorruptedRecord if it was altered,
        DamagedRecord if it opens to values this version cannot use."""
        records, corrupted = self.open_rows((row,), cipher)
        if corrupted:
            raise corrupted[0]
        return records[0]

    def open_rows(
        self, rows: Iterable[Sequence[Any]], cipher: Cipher
    ) -> tuple[list[T], list[CorruptedRecord]]:
        """The records of ``rows`` (as ``(id, *refs, sealed)``) that open, and why each of the
        others did not (in the order of ``rows``): CorruptedRecord if it was altered,
        DamagedRecord if it opens to values this version cannot use."""
        # Thousands per list or remind: everything looked up once, one pass per row to open
        # and convert, the rules checked for all at once, the records built at C level.
        table, aad, open_, loads = self.table, self._aad, cipher.open, _loads
        key_names, from_payload = self.columns[:-1], self._from_payload
        converting = self._converting
        opened: list[list[Any]] = []
        at: list[int] = []  # the row each of ``opened`` came from
        failed: list[tuple[int, CorruptedRecord]] = []
        for index, row in enumerate(rows):
            try:
                payload = loads(open_(row[-1], aad(row)).decode())  # UTF-8
            except (InvalidTag, ValueError, TypeError):
                failed.append((index, CorruptedRecord(table, row[0])))
                continue
            if type(payload) is not dict:
                failed.append((index, DamagedRecord(table, row[0])))
                continue
            payload.update(zip(key_names, row, strict=False))  # id, refs: all but the envelope
            try:
                values = list(from_payload(payload))
                for position, convert in converting:
                    # None stays None: right for an optional field, and the rules refuse it
                    # for any other.
                    if (value := values[position]) is not None:
                        values[position] = convert(value)
            except (KeyError, TypeError, ValueError, ArithmeticError):
                # Some field missing (an older release's record) or one that does not convert:
                # as _build says it.
                try:
                    values = list(self._values(self._build(payload)))
                except Refused as refused:
                    failed.append((index, self._damaged(row[0], refused)))
                    continue
            opened.append(values)
            at.append(index)
        cls = self.cls
        if all_storable(cls, opened):
            records = list(starmap(cls, opened))
        else:
            records = []
            for index, values in zip(at, opened, strict=True):
                try:
                    check_values(cls, values)
                except Refused as refused:
                    failed.append((index, self._damaged(values[self._id_at], refused)))
                    continue
                records.append(cls(*values))
            failed.sort(key=itemgetter(0))
        return records, [why for _, why in failed]

    def _damaged(self, record_id: str, refused: Refused) -> DamagedRecord:
        damaged = DamagedRecord(self.table, record_id)
        damaged.field = refused.field  # for debugging; the message stays generic
        return damaged

    # -- plain dicts (export/import) -------------------------------------------------------

    def to_plain(self, record: T) -> dict[str, Any]:
        data = {n: getattr(record, n) for n in self.field_names}
        return json.loads(dumps(data))  # type: ignore[no-any-return]

    def from_plain(self, data: Mapping[str, Any]) -> T:
        """The record in ``data`` (an export's); ``Refused`` naming the field that is unusable."""
        record = self._build(dict(data))
        check_stored(record)
        return record

    def _build(self, data: dict[str, Any]) -> T:
        """The record from ``data`` (changed in place); fields it does not know are ignored.

        Raises ``Refused`` naming a required field that is missing or one that does not convert.
        """
        for name, convert in self._convert:
            # None stays None: right for an optional field, and check_stored refuses it for
            # any other.
            if (value := data.get(name)) is not None:
                try:
                    data[name] = convert(value)
                except (TypeError, ValueError, ArithmeticError):
                    raise Refused(name, "is not a value of the right kind") from None
        try:
            return self.cls(**data)
        except TypeError:
            pass
        # Written by a newer profilekeeper: drop the fields this one does not have.
        known = {n: v for n, v in data.items() if n in self._known_names}
        if missing := [n for n in self._required if n not in known]:
            raise Refused(missing[0], "is missing")
        return self.cls(**known)


_CODECS: dict[type[Any], Codec[Any]] = {}


def codec_for(cls: type[T]) -> Codec[T]:
    """The codec for ``cls``, built once (it inspects the type hints)."""
    codec = _CODECS.get(cls)
    if codec is None:
        codec = _CODECS[cls] = Codec(cls)
    return codec
