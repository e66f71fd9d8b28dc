"""Portable, decrypted JSON export and its exact inverse.

The export holds every record of every type, sorted, with no timestamp of its own, so
export → import into a new vault → export gives the same bytes. It is plaintext by design (for
moving to another program); callers warn the user and write it with ``write_private_file``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profilekeeper.errors import InvalidInput, NotFound
from profilekeeper.model import ENTITIES
from profilekeeper.store import migrations
from profilekeeper.store.codec import Codec, codec_for
from profilekeeper.validation import Refused

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

FORMAT = "profilekeeper-export"
VERSION = 1
MAX_IMPORT_BYTES = 32 * 1024 * 1024
"""Larger than any real export (10,000 records make ~3 MB), small enough to parse in memory."""
MAX_DEPTH = 32
"""How deeply an import may nest: an export's own records nest 7 deep."""


_owners = functools.cache(migrations.references)
"""(table, reference column) → the table it must point into, from the schema's foreign keys."""
_KEPT_WITHOUT_OWNER = frozenset({"gifts"})
"""Records that outlive their person or occasion (as ``remove_person --keep-gifts`` keeps
them); the others are deleted with what they belong to (ON DELETE CASCADE), and so left out."""


def export_data(
    vault: Vault, *, skip_corrupted: bool = False, left_out: dict[str, int] | None = None
) -> dict[str, Any]:
    """Everything in the vault as plain JSON-ready data; CorruptedRecord unless skipping.

    Skipping, a record that belongs to one left out is left out too (a gift is kept, no longer
    tied to it), so the export imports again. ``left_out`` gets the counts: ``unreadable``,
    ``dependent`` (left out with them) and ``detached``.
    """
    records: dict[str, list[dict[str, Any]]] = {}
    exported: dict[str, set[str]] = {}  # ids, by table
    counts = {"unreadable": 0, "dependent": 0, "detached": 0}
    for cls in ENTITIES:  # in dependency order: owners before what refers to them
        codec = codec_for(cls)
        listing = vault.list(cls)
        if listing.corrupted and not skip_corrupted:
            raise listing.corrupted[0]
        # A damaged page of the file loses every record on it: as many as its index still lists.
        counts["unreadable"] += sum(getattr(c, "lost", None) or 1 for c in listing.corrupted)
        rows = []
        for row in (codec.to_plain(r) for r in listing):
            missing = [c for c in codec.refs if row[c] is not None
                       and (owner := _owners().get((codec.table, c))) is not None
                       and row[c] not in exported[owner]]  # fmt: skip
            if missing and codec.table not in _KEPT_WITHOUT_OWNER:
                counts["dependent"] += 1
                continue
            for column in missing:
                row[column] = None
            counts["detached"] += bool(missing)
            rows.append(row)
        exported[codec.table] = {row["id"] for row in rows}
        records[codec.table] = sorted(rows, key=lambda d: d["id"])
    if left_out is not None:
        left_out.update(counts)
    schema = migrations.CURRENT_VERSION
    return {"format": FORMAT, "version": VERSION, "schema": schema, "records": records}


def export_json(
    vault: Vault, *, skip_corrupted: bool = False, left_out: dict[str, int] | None = None
) -> str:
    data = export_data(vault, skip_corrupted=skip_corrupted, left_out=left_out)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _parse(text: str) -> Any:
    """``text`` parsed, refused unless it is JSON of valid text within ``MAX_DEPTH``.

    Deeper nesting would overflow the stack when parsed or sealed, and a ``\\udcff`` escape
    parses to a lone surrogate that no record can be sealed with.
    """
    try:
        data = json.loads(text)
    except ValueError:  # not JSON, or a number of more than 4,300 digits
        raise InvalidInput("that file is not JSON") from None
    except RecursionError:
        raise InvalidInput(f"that file nests more than {MAX_DEPTH} levels deep") from None
    level, depth = [data], 0  # level by level, without recursion: its objects and arrays
    while level := [value for value in level if isinstance(value, dict | list)]:
        depth += 1
        if depth > MAX_DEPTH:
            raise InvalidInput(f"that file nests more than {MAX_DEPTH} levels deep")
        level = [c for v in level for c in (v.values() if isinstance(v, dict) else v)]
    # Text read as UTF-8 holds no surrogate but one written as an escape (\ud800-\udfff).
    if "\\ud" in text.casefold():
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("that file holds text that is not valid Unicode") from None
    return data


def import_json(vault: Vault, text: str, *, replace: bool = False) -> dict[str, int]:
    """Load an export into ``vault`` in one transaction; return the count per table.

    Records are matched by id: existing ones are overwritten, new ones added. With
    ``replace`` the vault is emptied first. Any record that breaks the rules every stored
    record keeps (``validation.check_stored``) aborts the whole import before anything changes.
    """
    data = _parse(text)
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
    except sqlite3.IntegrityError:
        raise InvalidInput("the export refers to records it does not contain") from None
    return counts


def read_export_file(path: Path) -> str:
    """The text of the file at ``path`` to import, refused (InvalidInput, NotFound) if it is
    larger than ``MAX_IMPORT_BYTES`` (before reading a byte when the size is known), is not
    UTF-8, or cannot be read. A pipe (``import <(gpg -d …)``) is read up to the cap."""
    try:
        with path.expanduser().open("rb") as handle:
            info = os.fstat(handle.fileno())
            too_large = stat.S_ISREG(info.st_mode) and info.st_size > MAX_IMPORT_BYTES
            data = b"" if too_large else handle.read(MAX_IMPORT_BYTES + 1)
    except FileNotFoundError:
        raise NotFound("no such file to import") from None
    except OSError as error:
        raise InvalidInput(f"cannot read that file: {error.strerror}") from None
    if too_large or len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"that file is larger than {MAX_IMPORT_BYTES // 2**20} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("that file cannot be read as UTF-8 text") from None


def check_output_path(path: Path) -> None:
    """Refuse (InvalidInput) to write over anything at ``path`` but a regular file.

    A directory, a FIFO or a device such as /dev/null would be removed by the rename (as root,
    /dev/null itself); a symbolic link would be replaced, or followed to a place the user did
    not name: refused too, whatever it points to.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise InvalidInput(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISLNK(mode):
        raise InvalidInput(f"refusing to write over {path}: it is a symbolic link")
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"refusing to write over {path}: it is not a regular file")


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
    """Write ``text`` to ``path`` readable by the owner only, atomically (no partial file).

    The text goes to a new 0600 file beside ``path``, renamed over it when complete: a file that
    was there keeps its contents on any error and becomes 0600 with the new ones. Only a regular
    file is replaced (``check_output_path``); any path that cannot be written raises InvalidInput
    and leaves no temporary file behind.
    """
    path = path.expanduser()
    check_output_path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise InvalidInput(f"cannot write {path}: {error.strerror}") from None
    try:
        # newline="": the text's own line ends (a calendar's CRLF) reach the file unchanged.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        check_output_path(path)  # again: the write took time, and the rename would remove it
        os.replace(tmp, path)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise InvalidInput(f"cannot write {path}: {error.strerror}") from None
        raise
