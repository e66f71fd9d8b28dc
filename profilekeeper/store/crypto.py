"""Envelope encryption: a random data key seals records; a passphrase-derived key wraps it.

Only ``cryptography`` and the standard library are imported here, because the reminder fast
path (no SQLAlchemy) opens the vault with this module too.

Formats (all binary, stored in SQLite BLOB columns):
    sealed value  = b"\\x01" ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext and tag
    wrapped key   = a sealed value of the 32-byte data key under the key-encryption key
The associated data always starts with ``pk1|`` and names what the value belongs to, so a
ciphertext moved to another place fails to open.
"""

from __future__ import annotations

import base64
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from profilekeeper.errors import UnsupportedVault, WrongPassphrase

FORMAT = 1
_NONCE = 12
KEY_BYTES = 32

__all__ = [
    "AesGcmCipher",
    "Cipher",
    "InvalidTag",
    "KdfParams",
    "NullCipher",
    "derive_kek",
    "new_data_key",
    "seal_all",
]


class Cipher(Protocol):
    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, sealed: bytes, aad: bytes) -> bytes: ...


class AesGcmCipher:
    """AES-256-GCM with a fresh random nonce per value; one AESGCM object reused for speed."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("AES-256 needs a 32-byte key")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return b"\x01" + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def seal_all(self, plaintexts: Sequence[bytes], aads: Sequence[bytes]) -> list[bytes]:
        """``seal`` of each plaintext with its associated data: the nonces, as random, drawn
        from the system in one call (thousands per import or rotation)."""
        randoms = os.urandom(_NONCE * len(plaintexts))
        nonces = [randoms[i : i + _NONCE] for i in range(0, len(randoms), _NONCE)]
        encrypt, items = self._aead.encrypt, zip(nonces, plaintexts, aads, strict=True)
        return [b"\x01" + nonce + encrypt(nonce, plaintext, aad) for nonce, plaintext, aad in items]

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        """Return the plaintext; raise InvalidTag if anything about ``sealed`` was altered."""
        if len(sealed) < 1 + _NONCE + 16 or sealed[0] != FORMAT:
            raise InvalidTag()
        return self._aead.decrypt(sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], aad)


class NullCipher:
    """No encryption at all. Only for benchmarks, to measure what the cipher itself costs."""

    __slots__ = ()

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        return plaintext

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        return sealed


def seal_all(cipher: Cipher, plaintexts: Sequence[bytes], aads: Sequence[bytes]) -> list[bytes]:
    """``[cipher.seal(p, a) for p, a in zip(plaintexts, aads)]``, in one call where the cipher
    has one (``AesGcmCipher.seal_all``)."""
    many = getattr(cipher, "seal_all", None)
    if many is not None:
        return many(plaintexts, aads)  # type: ignore[no-any-return]
    return list(map(cipher.seal, plaintexts, aads))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id parameters, stored in the vault header so they can be raised later.

    The defaults follow RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes).
    """

    salt: bytes = field(default_factory=lambda: os.urandom(16))
    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4
    algorithm: str = "argon2id"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["salt"] = base64.b64encode(self.salt).decode()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        """The parameters a vault header names, refused unless each is within ``KDF_BOUNDS``.

        The header is read before any passphrase is checked, so a crafted one must not make
        the unlock hang for hours or allocate terabytes: everything is checked before deriving.
        """
        if not isinstance(data, dict) or data.get("algorithm") != "argon2id":
            raise ValueError("unknown key-derivation algorithm")
        numbers = {name: data.get(name) for name in ("memory_kib", "iterations", "lanes")}
        salt = data.get("salt")
        try:
            if not isinstance(salt, str) or len(salt) > 4 * KDF_BOUNDS["salt"][1]:
                raise ValueError("salt")
            decoded = base64.b64decode(salt, validate=True)
            if base64.b64encode(decoded).decode() != salt:  # bits base64 ignores were flipped
                raise ValueError("salt")
            params = cls(salt=decoded, **numbers)  # type: ignore[arg-type]
        except ValueError:
            raise _out_of_range() from None
        if not params.within_bounds():
            raise _out_of_range()
        return params

    def within_bounds(self) -> bool:
        """Whether every parameter is a plain int (or the salt's length) inside ``KDF_BOUNDS``,
        with the memory Argon2 itself needs (8 KiB per lane)."""
        values = {"memory_kib": self.memory_kib, "iterations": self.iterations,
                  "lanes": self.lanes}  # fmt: skip
        for name, value in values.items():
            low, high = KDF_BOUNDS[name]
            if type(value) is not int or not low <= value <= high:  # bool is an int: not here
                return False
        low, high = KDF_BOUNDS["salt"]
        return low <= len(self.salt) <= high and self.memory_kib >= 8 * self.lanes


KDF_BOUNDS: dict[str, tuple[int, int]] = {
    "memory_kib": (1024, 1024 * 1024),  # 1 MiB (the tests' fast KDF) to 1 GiB
    "iterations": (1, 10),
    "lanes": (1, 16),
    "salt": (16, 64),  # bytes
}
"""What a vault header may ask of Argon2id: the app writes 64 MiB, 3 passes, 4 lanes, 16 bytes."""


def _out_of_range() -> UnsupportedVault:
    return UnsupportedVault("the vault header's key-derivation parameters are out of range")


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC first, so the same passphrase typed on another system derives the same key."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_kek(passphrase: str, params: KdfParams) -> bytes:
    """The key-encryption key: Argon2id over the passphrase. Deliberately slow (~0.1–0.3 s)."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    kdf = Argon2id(
        salt=params.salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalize_passphrase(passphrase))


def wrap_aad(vault_id: str) -> bytes:
    return f"pk1|data-key|{vault_id}".encode()


def check_aad(vault_id: str) -> bytes:
    return f"pk1|key-check|{vault_id}".encode()


KEY_CHECK_PLAINTEXT = b"profilekeeper key check"
"""Sealed under the data key in the header, to tell a stale keyring copy from the right key."""


def wrap_data_key(data_key: bytes, passphrase: str, kdf: KdfParams, vault_id: str) -> bytes:
    return AesGcmCipher(derive_kek(passphrase, kdf)).seal(data_key, wrap_aad(vault_id))


def unwrap_data_key(wrapped: bytes, passphrase: str, kdf: KdfParams, vault_id: str) -> bytes:
    """The data key; WrongPassphrase if ``passphrase`` does not unwrap it."""
    try:
        return AesGcmCipher(derive_kek(passphrase, kdf)).open(wrapped, wrap_aad(vault_id))
    except InvalidTag:
        raise WrongPassphrase("wrong passphrase") from None


def make_key_check(data_key: bytes, vault_id: str) -> bytes:
    return AesGcmCipher(data_key).seal(KEY_CHECK_PLAINTEXT, check_aad(vault_id))


def verify_key_check(data_key: bytes, key_check: bytes, vault_id: str) -> None:
    """Raise WrongPassphrase unless ``data_key`` is the key this vault's check was sealed with."""
    try:
        AesGcmCipher(data_key).open(key_check, check_aad(vault_id))
    except (InvalidTag, ValueError):
        raise WrongPassphrase("the remembered key does not open this vault") from None
