"""The vault: one SQLite file holding the encrypted profile.

    vault = Vault.open(path)          # locked: the schema is readable, no record is
    vault.unlock(passphrase)          # or vault.unlock_with_data_key(key_from_keyring)
    vault.add(Person(name="Sam"))
    for person in vault.list(Person): ...

SQLModel describes the tables; reads and writes go through SQLAlchemy Core statements so that
lists of thousands cost one statement, not thousands of ORM objects. Every record is sealed by
``codec`` with the data key before it reaches SQLite.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from profilekeeper.errors import (
    Conflict,
    CorruptedRecord,
    InvalidInput,
    KeyReplaced,
    NotFound,
    UnsupportedVault,
    VaultLocked,
)
from profilekeeper.model import ENTITIES, Gift, Interest, Occasion, Person, Profile
from profilekeeper.store import (
    damage,
    key_header,
    migrations,
    occasion_dates,
    transactions,
    vault_file,
)
from profilekeeper.store.codec import Codec, codec_for
from profilekeeper.store.crypto import (
    AesGcmCipher,
    Cipher,
    KdfParams,
    make_key_check,
    new_data_key,
    verify_key_check,
    wrap_data_key,
)
from profilekeeper.store.key_header import Header
from profilekeeper.store.key_header import dump_kdf as _dump_kdf
from profilekeeper.store.tables import ROW_TABLES, VaultHeader

T = TypeVar("T")
CipherFactory = Callable[[bytes], Cipher]

_HEADER = VaultHeader.__table__  # type: ignore[attr-defined]


class Listing(list[T]):
    """Records that opened, plus the ones that failed authentication (kept out of the list)."""

    def __init__(self, items: Iterable[T] = (), corrupted: Iterable[CorruptedRecord] = ()):
        super().__init__(items)
        self.corrupted: list[CorruptedRecord] = list(corrupted)


def _apply_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # WAL for crash safety; secure_delete so freed pages are zeroed, not left readable;
    # temp_store=MEMORY so sorts and temp tables never spill to a temp file.
    for pragma in (
        "journal_mode = WAL",
        "synchronous = FULL",
        "secure_delete = ON",
        "foreign_keys = ON",
        "temp_store = MEMORY",
        "busy_timeout = 5000",
    ):
        dbapi_conn.execute(f"PRAGMA {pragma}")


def _now() -> int:
    return int(time.time())


class Vault:
    """An open vault file. Not unlocked until ``unlock`` or ``unlock_with_data_key`` succeeds."""

    def __init__(self, path: Path, engine: Engine, cipher_factory: CipherFactory) -> None:
        self.path = path
        self._engine = engine
        self._cipher_factory = cipher_factory
        self._cipher: Cipher | None = None
        self._data_key: bytes | None = None
        self._local = threading.local()
        # The header of the key this object holds (or will unlock): replaced only together
        # with the key, so writers can tell when the vault's key is no longer theirs.
        self.header: Header = key_header.read_now(engine)

    # -- opening ---------------------------------------------------------------------------

    @staticmethod
    def _engine_for(path: Path) -> Engine:
        engine = create_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _apply_pragmas)
        transactions.take_over_begin(engine)
        return engine

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        cipher_factory: CipherFactory = AesGcmCipher,
    ) -> Vault:
        """Make a new, unlocked vault at ``path`` (created 0600); VaultExists if one is there."""
        if not passphrase:
            raise InvalidInput("the passphrase must not be empty")
        kdf = kdf or KdfParams()
        data_key = new_data_key()

        def build(tmp: Path) -> None:  # in a file beside ``path``, linked there once whole
            engine = cls._engine_for(tmp)
            try:
                _migrate(engine)
                vault_id = uuid.uuid4().hex
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"PRAGMA application_id = {vault_file.APPLICATION_ID}")
                    conn.execute(
                        _HEADER.insert().values(
                            singleton=1,
                            vault_id=vault_id,
                            created=_now(),
                            kdf=_dump_kdf(kdf),
                            wrapped_key=wrap_data_key(data_key, passphrase, kdf, vault_id),
                            key_check=make_key_check(data_key, vault_id),
                            key_generation=1,
                            remembered=0,
                        )
                    )
                vault = cls(tmp, engine, cipher_factory)
                vault._set_key(data_key)
                vault.save(Profile())
                vault.checkpoint()  # everything in the file itself: its -wal is not linked
            finally:
                engine.dispose()

        vault_file.create_atomically(path, build)
        vault = cls.open(path, cipher_factory=cipher_factory)
        vault._set_key(data_key)
        return vault

    @classmethod
    def open(cls, path: Path, *, cipher_factory: CipherFactory = AesGcmCipher) -> Vault:
        """Open an existing vault, upgrading its schema if it is older; it stays locked.

        A file that is not a vault is refused before anything is written to it.
        """
        vault_file.require_vault(path)
        engine = cls._engine_for(path)
        try:
            _migrate(engine)
            return cls(path, engine, cipher_factory)
        except (sqlite3.DatabaseError, DBAPIError) as error:
            engine.dispose()
            if damage.is_damage(error):  # it is a vault (see require_vault): a damaged one
                raise damage.DamagedVault("its header or schema cannot be read") from None
            if isinstance(error, DBAPIError):
                raise
            raise UnsupportedVault(vault_file.NOT_A_VAULT) from None
        except Exception:
            engine.dispose()
            raise

    def unlock(self, passphrase: str) -> None:
        header = key_header.read_now(self._engine)  # as it is now, if another program rotated
        self._set_key(key_header.unwrap(header, passphrase), header)

    def unlock_with_data_key(self, data_key: bytes) -> None:
        """Unlock with a remembered data key; WrongPassphrase if it is not this vault's key."""
        header = key_header.read_now(self._engine)
        verify_key_check(data_key, header.key_check, header.vault_id)
        self._set_key(data_key, header)

    def _set_key(self, data_key: bytes, header: Header | None = None) -> None:
        self._data_key = data_key
        self._cipher = self._cipher_factory(data_key)
        if header is not None:
            self.header = header

    def lock(self) -> None:
        self._cipher = None
        self._data_key = None

    def close(self) -> None:
        self.lock()
        self._engine.dispose()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def vault_id(self) -> str:
        return self.header.vault_id

    @property
    def is_unlocked(self) -> bool:
        return self._cipher is not None

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise VaultLocked("the vault is locked")
        return self._data_key

    @property
    def cipher(self) -> Cipher:
        if self._cipher is None:
            raise VaultLocked("the vault is locked")
        return self._cipher

    @property
    def engine(self) -> Engine:
        return self._engine

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: everything inside commits together or not at all. It holds the write
        lock from its start, so what it reads cannot change before it writes, and raises
        KeyChanged, writing nothing, if another program rotated the key this object holds."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._begin(write=True) as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def _conn(self) -> Iterator[Connection]:
        """The open write transaction's connection, or a read transaction (no lock taken)."""
        if (conn := getattr(self._local, "conn", None)) is not None:
            yield conn
        else:
            with self._begin() as conn:
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.transaction():
            yield self._local.conn

    @contextmanager
    def _begin(
        self, cipher: Cipher | None = None, *, write: bool = False, check_key: bool = True
    ) -> Iterator[Connection]:
        """A transaction that, if it wrote, reseals the occasion date index before committing.

        ``write`` takes the write lock first, then (``check_key``) checks the key is still the
        vault's; ``cipher`` is the key the records are under once it commits (a rotation's new one).
        """
        with transactions.transaction(self._engine, write=write) as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            changes = driver.total_changes  # counts rows written by statements and triggers
            if write and check_key and self._cipher is not None:
                key_header.check_key(conn, self.header.key_check)
            yield conn
            if driver.total_changes != changes:
                self._reseal_dates(conn, cipher or self._cipher)

    def _reseal_dates(self, conn: Connection, cipher: Cipher | None) -> None:
        """Rebuild the date index if a write emptied it (see store/occasion_dates.py)."""
        emptied = conn.exec_driver_sql(f"SELECT sealed IS NULL FROM {occasion_dates.TABLE}")
        if cipher is None or emptied.scalar() != 1:  # locked: it stays empty, which is safe
            return
        codec = codec_for(Occasion)
        occasions, unreadable = [], []
        for row in self._fetch(conn, Occasion, {}):
            try:
                occasions.append(codec.from_row(row, cipher))
            except CorruptedRecord:
                unreadable.append(row[0])
        sealed = occasion_dates.seal(occasions, unreadable, cipher)
        conn.exec_driver_sql(f"UPDATE {occasion_dates.TABLE} SET sealed = ?", (sealed,))

    # -- generic records -------------------------------------------------------------------

    @staticmethod
    def _table(codec: Codec[Any]) -> Any:
        return ROW_TABLES[codec.table].__table__  # type: ignore[attr-defined]

    def _rows(self, records: list[T]) -> tuple[Any, list[dict[str, Any]]]:
        """Seal ``records``: inside a write transaction, which checked the key is current."""
        codec = codec_for(type(records[0]))
        cipher, now = self.cipher, _now()
        rows = [codec.to_row(r, cipher) for r in records]
        for row in rows:
            row["created"] = row["updated"] = now
        return self._table(codec), rows

    def add(self, record: T) -> T:
        self.add_all([record])
        return record

    def add_all(self, records: Iterable[T]) -> None:
        """Insert new records of one type in one statement."""
        if not (records := list(records)):
            return
        with self._write() as conn:
            table, rows = self._rows(records)
            # The Core statement, compiled once, run through the driver's executemany: per-row
            # parameter processing in SQLAlchemy would cost more than sealing the rows.
            stmt = table.insert().compile(dialect=self._engine.dialect, column_keys=list(rows[0]))
            order = stmt.positiontup or []
            conn.exec_driver_sql(str(stmt), [tuple(row[c] for c in order) for row in rows])

    def save(self, record: T) -> T:
        """Insert or replace one record (by id)."""
        self.save_all([record])
        return record

    def save_all(self, records: Iterable[T]) -> None:
        if not (records := list(records)):
            return
        with self._write() as conn:
            table, rows = self._rows(records)
            stmt = sqlite_insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={c: stmt.excluded[c] for c in rows[0] if c not in ("id", "created")},
            )
            conn.execute(stmt, rows)

    def _fetch(self, conn: Connection, cls: type[Any], where: dict[str, Any]) -> damage.Rows:
        """``(id, *refs, sealed)`` tuples whose columns equal ``where`` (None: unset)."""
        codec = codec_for(cls)
        if set(where) - {"id", *codec.refs}:
            raise ValueError(f"{cls.__name__} rows can only be filtered by id or references")
        # ``IS`` compares like ``=`` and also matches NULL to None.
        condition = " AND ".join(f"{column} IS ?" for column in where)
        return self._read(conn, codec, condition, list(where.values()))

    @staticmethod
    def _read(conn: Connection, codec: Codec[Any], condition: str, params: Any) -> damage.Rows:
        """At driver level: thousands of rows skip SQLAlchemy's per-row processing."""
        columns = ("id", *codec.refs, "sealed")
        return damage.select(_driver(conn), codec.table, columns, condition, params)

    def list(self, cls: type[T], **where: Any) -> Listing[T]:
        """Every record of ``cls`` (optionally where a reference equals a value).

        Records that fail authentication are reported in ``.corrupted``, not raised, so one
        damaged record never hides the rest.
        """
        with self._conn() as conn:
            return self._open(cls, self._fetch(conn, cls, where))

    def load(self, cls: type[T], **any_of: Collection[str]) -> Listing[T]:
        """Records of ``cls`` whose ``id`` or a reference is one of the values given, as
        ``ReadOnlyVault.load``: only what is needed gets decrypted."""
        codec = codec_for(cls)
        if set(any_of) - {"id", *codec.refs}:
            raise ValueError(f"{cls.__name__} rows can only be filtered by id or references")
        # One JSON parameter per column: no limit on how many values are passed.
        condition = " OR ".join(f"{c} IN (SELECT value FROM json_each(?))" for c in any_of)
        params = [json.dumps(sorted(v)) for v in any_of.values()]
        with self._conn() as conn:
            return self._open(cls, self._read(conn, codec, condition, params))

    def occasion_dates(self) -> occasion_dates.DateIndex | None:
        """The sealed date index, as ``ReadOnlyVault.occasion_dates``."""
        with self._conn() as conn:
            row = damage.first_row(_driver(conn), f"SELECT sealed FROM {occasion_dates.TABLE}")
        return occasion_dates.open_index(row[0] if row else None, self.cipher)

    def _open(self, cls: type[T], rows: damage.Rows) -> Listing[T]:
        codec, cipher = codec_for(cls), self.cipher
        items: list[T] = []
        corrupted: list[CorruptedRecord] = []
        for row in rows:
            try:
                items.append(codec.from_row(row, cipher))
            except CorruptedRecord as error:
                corrupted.append(error)
        if any(type(c) is CorruptedRecord for c in corrupted):
            self._check_still_the_key()
        if rows.damage:  # some rows could not be read at all: said beside the corrupted ones
            corrupted.append(rows.damage)
        return Listing(items, corrupted)

    def _check_still_the_key(self) -> None:
        """Records fail to open when another program rotated the key after this one unlocked
        (the app left open): then that is what to say, not "corrupted"."""
        if key_header.read_now(self._engine).key_check != self.header.key_check:
            raise KeyReplaced()

    def get(self, cls: type[T], record_id: str) -> T:
        with self._conn() as conn:
            rows = self._fetch(conn, cls, {"id": record_id})
        if not rows:
            raise rows.damage or NotFound(f"no {codec_for(cls).table} record with that id")
        try:
            return codec_for(cls).from_row(rows[0], self.cipher)
        except CorruptedRecord as error:
            if type(error) is CorruptedRecord:
                self._check_still_the_key()
            raise

    def last_changed(self, cls: type[Any]) -> dict[str, int]:
        """When each record of ``cls`` was last written (Unix seconds), by id."""
        table = self._table(codec_for(cls))
        with self._conn() as conn:
            return {rid: at for rid, at in conn.execute(select(table.c.id, table.c.updated))}

    def count(self, cls: type[Any]) -> int:
        table = self._table(codec_for(cls))
        with self._conn() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def delete(self, cls: type[Any], record_id: str) -> None:
        table = self._table(codec_for(cls))
        with self._write() as conn:
            if conn.execute(delete(table).where(table.c.id == record_id)).rowcount == 0:
                raise NotFound(f"no {codec_for(cls).table} record with that id")

    def delete_all_records(self) -> None:
        """Empty every record table; the header and the key stay."""
        with self._write() as conn:
            for cls in reversed(ENTITIES):
                conn.execute(delete(self._table(codec_for(cls))))

    # -- the profile and people ------------------------------------------------------------

    def profile(self) -> Profile:
        try:
            return self.get(Profile, "me")
        except NotFound:
            return Profile()

    def find_person(self, name: str) -> Person:
        """The person whose name matches ``name`` ignoring case and surrounding spaces."""
        wanted = name.strip().casefold()
        people = self.list(Person)
        for person in people:
            if person.name.strip().casefold() == wanted:
                return person
        if people.corrupted:
            raise people.corrupted[0]
        raise NotFound("no person by that name")

    def add_person(self, person: Person) -> Person:
        """Add ``person`` after checking the name is usable and not taken."""
        with self.transaction():  # one write transaction: a second `add` waits, then sees it
            self._check_person_name(person)
            return self.add(person)

    def save_person(self, person: Person) -> Person:
        with self.transaction():
            self._check_person_name(person)
            return self.save(person)

    def _check_person_name(self, person: Person) -> None:
        person.name = " ".join(person.name.split())
        if not person.name:
            raise InvalidInput("a person needs a name")
        folded = person.name.casefold()
        if any(p.name.casefold() == folded and p.id != person.id for p in self.list(Person)):
            raise Conflict("a person with that name exists already")

    def remove_person(self, person_id: str, *, gifts: str = "refuse") -> int:
        """Delete a person with their interests and occasions; return how many gifts they had.

        ``gifts`` says what happens to their gift records: ``refuse`` (raise Conflict if there
        are any), ``delete`` them, or ``keep`` them detached from any person.
        """
        if gifts not in ("refuse", "delete", "keep"):
            raise ValueError("gifts must be refuse, delete or keep")
        with self.transaction():
            self.get(Person, person_id)  # NotFound before anything changes
            their_gifts = self.list(Gift, person_id=person_id)
            if their_gifts.corrupted and gifts == "keep":
                raise their_gifts.corrupted[0]
            count = len(their_gifts) + len(their_gifts.corrupted)
            if count and gifts == "refuse":
                raise Conflict("that person has gift records: choose to delete or keep them")
            gift_table = self._table(codec_for(Gift))
            with self._write() as conn:
                conn.execute(delete(gift_table).where(gift_table.c.person_id == person_id))
            if gifts == "keep":
                self.add_all(replace(g, person_id=None, occasion_id=None) for g in their_gifts)
            self.delete(Person, person_id)  # interests and occasions cascade
        return count

    def remove_occasion(self, occasion_id: str) -> None:
        """Delete an occasion; gifts recorded for it stay, no longer tied to it."""
        with self.transaction():
            gifts = self.list(Gift, occasion_id=occasion_id)
            if gifts.corrupted:
                raise gifts.corrupted[0]
            self.save_all(replace(g, occasion_id=None) for g in gifts)
            self.delete(Occasion, occasion_id)

    def interests_of(self, person_id: str | None) -> Listing[Interest]:
        return self.list(Interest, person_id=person_id)

    # -- keys (the header's own rules: store/key_header.py) ---------------------------------

    def _header_now(self) -> Header:
        """The header a key change starts from: as it is now (another program may have changed
        the passphrase), but KeyChanged if it no longer names the key this object holds."""
        header = key_header.read_now(self._engine)
        if self._cipher is not None and header.key_check != self.header.key_check:
            raise KeyReplaced(key_header.KEY_REPLACED)
        return header

    def verify_passphrase(self, passphrase: str) -> None:
        """Raise WrongPassphrase unless ``passphrase`` unwraps this vault's data key."""
        key_header.unwrap(self.header, passphrase)

    def change_passphrase(self, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wrap the data key under ``new``; records are untouched, keyring copies stay valid.
        KeyChanged, and nothing changed, if another passwd or rotate-key came first."""
        if not new:
            raise InvalidInput("the new passphrase must not be empty")
        self.header = key_header.change_passphrase(
            self._engine, self._header_now(), old, new, kdf or KdfParams()
        )

    def rotate_key(
        self, passphrase: str, *, progress: Callable[[int, int], None] | None = None
    ) -> bytes:
        """Re-encrypt every record under a new data key in one transaction; return the new key.

        Raises CorruptedRecord (and changes nothing) if any record fails to open, KeyChanged if
        another passwd or rotate-key came first. A keyring copy of the old key no longer works
        afterwards: the caller should remember the new one.
        """
        rotation = key_header.Rotation(self._header_now(), passphrase, KdfParams(), self.cipher,
                                       self._cipher_factory)  # fmt: skip
        # The write lock before the first read: no writer can add a row under the old key
        # between reading the records and replacing the header.
        with self._begin(rotation.new_cipher, write=True, check_key=False) as conn:
            header = rotation.run(conn, self._fetch, progress)
        self._set_key(rotation.new_key, header)
        self.checkpoint()
        return rotation.new_key

    def set_remembered(self, remembered: bool) -> None:
        """Record whether a keyring copy exists, so commands skip the keyring when there is none
        (KeyChanged if ``remembered`` and the key this object holds is no longer the vault's)."""
        self.header = key_header.set_remembered(self._engine, self.header, remembered)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file and truncate it (after rotation)."""
        with self._engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _driver(conn: Connection) -> sqlite3.Connection:
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _migrate(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        assert isinstance(dbapi, sqlite3.Connection)
        migrations.migrate(dbapi)
    finally:
        raw.close()
