"""The encrypted backup file: one vault snapshot, sealed in authenticated chunks.

    magic "PKBACKUP" ‖ version (1 byte) ‖ header length (4 bytes, big-endian) ‖ header (JSON)
    ‖ SHA-256 of everything before it ‖ chunks

The header carries the vault's own key table as the snapshot has it (vault id, Argon2id
parameters and salt, the wrapped data key, the key check), a random salt, the chunk size, the
snapshot's size and when it was made. The passphrase the vault had when the backup was made
unwraps the data key; a key for this backup alone is derived from it (HKDF-SHA256 over the
salt), so no nonce is ever reused and counter nonces are safe. Each chunk of ``chunk``
plaintext bytes (the last one shorter, possibly empty) is AES-256-GCM under nonce = index
(11 bytes) ‖ final flag (1 byte), with the header's digest as associated data: a chunk moved,
dropped, cut or appended, a header edited, fails. The unkeyed digest only tells a damaged
header from a wrong passphrase.

Plain Python and ``cryptography``: no SQLite here (services/backup.py takes the snapshot).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from profilekeeper.errors import InvalidInput, VaultError
from profilekeeper.store.crypto import KdfParams, unwrap_data_key, verify_key_check

MAGIC = b"PKBACKUP"
VERSION = 1
CHUNK = 1 << 20
_PREFIX = struct.Struct(">8sBI")  # magic, version, header length
_DIGEST = 32
_TAG = 16
MAX_HEADER = 64 * 1024
CHUNK_BOUNDS = (4096, 16 << 20)
NOT_A_BACKUP = "that file is not a profilekeeper backup"
_Y10K = 253_402_300_800  # the first second of the year 10000: datetime's end


class DamagedBackup(VaultError):
    """A backup that is cut short, has bytes changed or added: nothing is restored from it."""

    exit_code = 5

    def __init__(self, what: str) -> None:
        super().__init__(f"the backup is damaged ({what}); nothing was restored")


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """What a backup says about itself, authenticated as every chunk's associated data."""

    vault_id: str
    kdf: KdfParams
    wrapped_key: bytes
    key_check: bytes
    remembered: bool
    size: int
    chunk: int = CHUNK
    made: int = field(default_factory=lambda: int(time.time()))
    salt: bytes = field(default_factory=lambda: os.urandom(32))

    def to_json(self) -> bytes:
        data = {"vault_id": self.vault_id, "kdf": self.kdf.to_json(),
                "wrapped_key": _b64(self.wrapped_key), "key_check": _b64(self.key_check),
                "remembered": self.remembered, "size": self.size, "chunk": self.chunk,
                "made": self.made, "salt": _b64(self.salt)}  # fmt: skip
        return json.dumps(data, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> BackupHeader:
        try:
            data: dict[str, Any] = json.loads(raw)
            header = cls(
                vault_id=_text(data["vault_id"]),
                kdf=KdfParams.from_json(data["kdf"]),
                wrapped_key=base64.b64decode(_text(data["wrapped_key"]), validate=True),
                key_check=base64.b64decode(_text(data["key_check"]), validate=True),
                remembered=data["remembered"] is True,
                size=data["size"],
                chunk=data["chunk"],
                made=data["made"],
                salt=base64.b64decode(_text(data["salt"]), validate=True),
            )
        except (ValueError, KeyError, TypeError, RecursionError, VaultError):
            raise InvalidInput(f"{NOT_A_BACKUP} this version can read") from None
        low, high = CHUNK_BOUNDS
        if any(type(n) is not int for n in (header.size, header.chunk, header.made)):
            raise InvalidInput(f"{NOT_A_BACKUP} this version can read")
        in_range = header.size >= 0 and low <= header.chunk <= high and 0 <= header.made < _Y10K
        if not in_range:
            raise InvalidInput(f"{NOT_A_BACKUP} this version can read")
        return header

    @property
    def chunks(self) -> int:
        return max(1, -(-self.size // self.chunk))

    @property
    def sealed_size(self) -> int:
        """The file's length after its header: every chunk with its tag."""
        return self.size + self.chunks * _TAG


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _prefix(header: BackupHeader) -> bytes:
    body = header.to_json()
    return _PREFIX.pack(MAGIC, VERSION, len(body)) + body


def _backup_key(data_key: bytes, header: BackupHeader) -> AESGCM:
    hkdf = HKDF(hashes.SHA256(), 32, header.salt, f"pk1|backup|{header.vault_id}".encode())
    return AESGCM(hkdf.derive(data_key))


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def seal(data: bytes, header: BackupHeader, data_key: bytes) -> Iterator[bytes]:
    """The backup of ``data`` (a vault snapshot, ``header.size`` bytes), piece by piece."""
    assert len(data) == header.size
    prefix = _prefix(header)
    digest = hashlib.sha256(prefix).digest()
    yield prefix + digest
    aead = _backup_key(data_key, header)
    view = memoryview(data)
    for index in range(header.chunks):
        piece = view[index * header.chunk : (index + 1) * header.chunk]
        yield aead.encrypt(_nonce(index, index == header.chunks - 1), piece, digest)


@dataclass(frozen=True, slots=True)
class Opened:
    """A backup whose header has been read and checked: ``unlock`` it, then ``chunks``."""

    header: BackupHeader
    digest: bytes

    def unlock(self, passphrase: str) -> bytes:
        """The data key; WrongPassphrase unless ``passphrase`` is the vault's at backup time."""
        h = self.header
        key = unwrap_data_key(h.wrapped_key, passphrase, h.kdf, h.vault_id)
        self.check_key(key)
        return key

    def check_key(self, data_key: bytes) -> None:
        """WrongPassphrase unless ``data_key`` is the key the backed-up vault was under."""
        verify_key_check(data_key, self.header.key_check, self.header.vault_id)


def read_header(stream: BinaryIO) -> Opened:
    """Read and check the header of the backup ``stream`` is at the start of.

    InvalidInput for another kind of file or a newer format, DamagedBackup for a header cut
    short or changed; the stream is left at the first chunk.
    """
    start = stream.read(_PREFIX.size)
    if len(start) < len(MAGIC) or start[: len(MAGIC)] != MAGIC:
        raise InvalidInput(NOT_A_BACKUP)
    if len(start) < _PREFIX.size:
        raise DamagedBackup("it ends inside its header")
    _, version, length = _PREFIX.unpack(start)
    if version != VERSION:
        raise InvalidInput("that backup was written by a newer profilekeeper")
    if length > MAX_HEADER:
        raise DamagedBackup("its header is garbled")
    body = stream.read(length)
    digest = stream.read(_DIGEST)
    if len(body) < length or len(digest) < _DIGEST:
        raise DamagedBackup("it ends inside its header")
    if hashlib.sha256(start + body).digest() != digest:
        raise DamagedBackup("its header was changed")
    return Opened(BackupHeader.from_json(body), digest)


def open_chunks(stream: BinaryIO, opened: Opened, data_key: bytes) -> Iterator[bytes]:
    """The snapshot's bytes, chunk by chunk, each authenticated before it is given out;
    DamagedBackup as soon as one fails, is missing or is followed by anything."""
    header = opened.header
    aead = _backup_key(data_key, header)
    for index in range(header.chunks):
        final = index == header.chunks - 1
        want = (header.size - index * header.chunk if final else header.chunk) + _TAG
        sealed = stream.read(want)
        if len(sealed) < want:
            raise DamagedBackup("it is cut short")
        try:
            yield aead.decrypt(_nonce(index, final), sealed, opened.digest)
        except InvalidTag:
            what = f"part {index + 1} of {header.chunks} failed authentication"
            raise DamagedBackup(what) from None
    if stream.read(1):
        raise DamagedBackup("it has bytes after its end")
