"""Portable, decrypted JSON export and its exact inverse.

The export holds every record of every type, sorted, with no timestamp of its own, so
export → import into a new vault → export gives the same bytes. It is plaintext by design (for
moving to another program); callers warn the user and write it with ``write_private_file``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from profilekeeper.errors import InvalidInput
from profilekeeper.model import ENTITIES
from profilekeeper.store.codec import Codec, codec_for
from profilekeeper.store.migrations import CURRENT_VERSION
from profilekeeper.validation import Refused

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

FORMAT = "profilekeeper-export"
VERSION = 1


def export_data(vault: Vault, *, skip_corrupted: bool = False) -> dict[str, Any]:
    """Everything in the vault as plain JSON-ready data; CorruptedRecord unless skipping."""
    records: dict[str, list[dict[str, Any]]] = {}
    for cls in ENTITIES:
        codec = codec_for(cls)
        listing = vault.list(cls)
        if listing.corrupted and not skip_corrupted:
            raise listing.corrupted[0]
        records[codec.table] = sorted((codec.to_plain(r) for r in listing), key=lambda d: d["id"])
    return {"format": FORMAT, "version": VERSION, "schema": CURRENT_VERSION, "records": records}


def export_json(vault: Vault, *, skip_corrupted: bool = False) -> str:
    data = export_data(vault, skip_corrupted=skip_corrupted)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def import_json(vault: Vault, text: str, *, replace: bool = False) -> dict[str, int]:
    """Load an export into ``vault`` in one transaction; return the count per table.

    Records are matched by id: existing ones are overwritten, new ones added. With
    ``replace`` the vault is emptied first. Any record that breaks the rules every stored
    record keeps (``validation.check_stored``) aborts the whole import before anything changes.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput("that file is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput("that file is not a profilekeeper export")
    if data.get("version") != VERSION:
        raise InvalidInput("that export was written by a newer profilekeeper")
    tables = data.get("records")
    if not isinstance(tables, dict):
        raise InvalidInput("that export has no records")

    parsed: list[tuple[type[Any], list[Any]]] = []
    for cls in ENTITIES:
        codec = codec_for(cls)
        rows = tables.get(codec.table, [])
        if not isinstance(rows, list):
            raise InvalidInput(f"the export's {codec.table} section is not a list")
        parsed.append((cls, [_imported(codec, n, row) for n, row in enumerate(rows, start=1)]))

    counts: dict[str, int] = {}
    try:
        with vault.transaction():
            if replace:
                vault.delete_all_records()
            for cls, records in parsed:
                vault.save_all(records)
                counts[codec_for(cls).table] = len(records)
    except IntegrityError:
        raise InvalidInput("the export refers to records it does not contain") from None
    return counts


_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def _imported(codec: Codec[Any], position: int, row: Any) -> Any:
    """The record in ``row``, checked by ``validation.check_stored`` as every stored record is;
    InvalidInput naming the table, the record's position and id and the field, never a value."""
    where = f"the export's {codec.table} record {position}"
    if not isinstance(row, dict):
        raise InvalidInput(f"{where} is not an object")
    if isinstance(row.get("id"), str) and _PLAIN_ID.fullmatch(row["id"]):
        where += f" (id {row['id']})"  # ids are random: only one shaped like an id is echoed
    try:
        return codec.from_plain(row)
    except Refused as refused:
        raise InvalidInput(f"{where} cannot be used: {refused}") from None


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only, atomically (no partial file)."""
    path = path.expanduser()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # newline="": the text's own line ends (a calendar's CRLF) reach the file unchanged.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
