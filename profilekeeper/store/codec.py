"""Turning domain records into sealed rows and back, without SQLAlchemy.

A row is ``id``, the record's CLEAR reference columns, and ``sealed``: one AEAD envelope holding
every other field as JSON. The associated data binds the envelope to its table, its record id
and its references, so a ciphertext copied into another row, or a gift re-pointed at another
person, fails to open. A record is checked against ``validation.check_stored`` both ways: one
that breaks the rules is never sealed, and one that opens but breaks them (an older release's,
or one sealed by hand) is a ``DamagedRecord``, which readers report and leave out.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from json.scanner import make_scanner
from typing import Any, Generic, TypeVar

from profilekeeper.errors import CorruptedRecord, DamagedRecord
from profilekeeper.store.crypto import Cipher, InvalidTag
from profilekeeper.validation import Refused, check_stored

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


def dumps(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(
        payload, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode()


def _converter(hint: Any) -> Convert | None:
    """How to rebuild a field from its JSON form, or None when JSON already has the right type."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        convert = _converter(inner[0]) if len(inner) == 1 else None
        return None if convert is None else (lambda v: None if v is None else convert(v))
    if hint is Decimal:
        return Decimal
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    return None


class Codec(Generic[T]):
    """Seals and opens one record type. Build once per type with ``codec_for``."""

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls
        self.table: str = cls.TABLE  # type: ignore[attr-defined]
        self.refs: tuple[str, ...] = cls.CLEAR  # type: ignore[attr-defined]
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        self.field_names = names
        self._known_names = frozenset(names)  # set lookups: opening thousands of rows adds up
        self._required = [f.name for f in fields(cls)  # type: ignore[arg-type]
                          if f.default is MISSING and f.default_factory is MISSING]  # fmt: skip
        self.sealed_fields = [n for n in names if n != "id" and n not in self.refs]
        hints = typing.get_type_hints(cls)
        self.converters = {n: c for n in names if (c := _converter(hints[n])) is not None}
        self._convert = tuple(self.converters.items())
        self._aad_prefix = f"pk1|{self.table}"
        self.columns = ("id", *self.refs, "sealed")
        """The columns ``from_row`` takes, in order."""

    def _aad(self, record_id: str, refs: list[Any]) -> bytes:
        """``record_aad(self.table, record_id, refs)`` with less work (thousands per remind)."""
        if None in refs:
            refs = [r or "" for r in refs]
        return "|".join((self._aad_prefix, record_id, *refs)).encode()

    # -- sealed rows ------------------------------------------------------------------------

    def to_row(self, record: T, cipher: Cipher) -> dict[str, Any]:
        """The sealed row; ``Refused`` (InvalidInput) if a field breaks the storable rules."""
        check_stored(record)
        get = record.__getattribute__
        refs = [get(r) for r in self.refs]
        payload = {n: get(n) for n in self.sealed_fields}
        row: dict[str, Any] = dict(zip(self.refs, refs, strict=True))
        row["id"] = get("id")
        row["sealed"] = cipher.seal(dumps(payload), record_aad(self.table, row["id"], refs))
        return row

    def to_params(self, records: Iterable[T], cipher: Cipher, now: int) -> list[tuple[Any, ...]]:
        """``(id, *refs, created, updated, sealed)`` for each record, ``now`` as both times."""
        params = []
        for record in records:
            row = self.to_row(record, cipher)
            params.append((row["id"], *(row[r] for r in self.refs), now, now, row["sealed"]))
        return params

    def from_row(self, row: Sequence[Any], cipher: Cipher) -> T:
        """Open a row given as ``(id, *refs, sealed)``; raise CorruptedRecord if it was altered,
        DamagedRecord if it opens to values this version cannot use."""
        record_id, *refs, sealed = row
        try:
            payload = _loads(cipher.open(sealed, self._aad(record_id, refs)).decode())  # UTF-8
        except (InvalidTag, ValueError, TypeError):
            raise CorruptedRecord(self.table, record_id) from None
        if type(payload) is not dict:
            raise DamagedRecord(self.table, record_id)
        if refs:
            payload.update(zip(self.refs, refs, strict=True))
        payload["id"] = record_id
        try:
            record = self._build(payload)
            check_stored(record)
        except Refused as refused:
            damaged = DamagedRecord(self.table, record_id)
            damaged.field = refused.field  # for debugging; the message stays generic
            raise damaged from None
        return record

    def open_rows(
        self, rows: Iterable[Sequence[Any]], cipher: Cipher
    ) -> tuple[list[T], list[CorruptedRecord]]:
        """The records of ``rows`` that open, and why each of the others did not."""
        records: list[T] = []
        corrupted: list[CorruptedRecord] = []
        for row in rows:
            try:
                records.append(self.from_row(row, cipher))
            except CorruptedRecord as error:
                corrupted.append(error)
        return records, corrupted

    def reseal(self, row: Sequence[Any], old: Cipher, new: Cipher) -> bytes:
        """The envelope of ``row`` (as ``from_row`` takes it) sealed under ``new`` instead."""
        sealed: bytes = self.to_row(self.from_row(row, old), new)["sealed"]
        return sealed

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
            if name in data:
                try:
                    data[name] = convert(data[name])
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
