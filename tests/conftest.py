"""Fixtures shared by every test: the developer's machine is kept out.

HOME and the XDG directories point at a temporary folder, so no real vault, config or keyring
file is touched; ``PROFILEKEEPER_VAULT`` points at a fresh path; no passphrase leaks in from the
environment.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import settings

from profilekeeper.store.crypto import KdfParams

# Property tests check answers, not speed: on a loaded 2-core CI machine a pause past
# hypothesis's 200 ms per-example deadline would fail a correct run.
settings.register_profile("profilekeeper", deadline=None)
settings.load_profile("profilekeeper")

PASSPHRASE = "correct horse battery"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
"""Weak on purpose, for tests that make many vaults in-process; the CLI always uses defaults
(in-process, the ``fast_kdf`` fixture makes it use these)."""


@dataclass(frozen=True, slots=True)
class FastKdfParams(KdfParams):
    """``KdfParams()`` with FAST_KDF's costs (and a fresh salt): what the vault makes by default
    while ``fast_kdf`` is on."""

    memory_kib: int = FAST_KDF.memory_kib
    iterations: int = FAST_KDF.iterations
    lanes: int = FAST_KDF.lanes


@pytest.fixture
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """New vaults, ``passwd`` and ``rotate-key`` run in this process derive keys with FAST_KDF.

    The CLI never passes a KDF: ``Vault.create``, ``change_passphrase`` and ``rotate_key`` fall
    back to ``KdfParams()`` as named in store/vault.py, which this swaps for the weak one. (No
    production switch: a real ``python -m profilekeeper`` always uses the real Argon2.)
    """
    import profilekeeper.store.vault as vault_module

    monkeypatch.setattr(vault_module, "KdfParams", FastKdfParams)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("PROFILEKEEPER_VAULT", str(home / "vault.sqlite3"))
    monkeypatch.delenv("PROFILEKEEPER_PASSPHRASE", raising=False)
    monkeypatch.delenv("PROFILEKEEPER_NEW_PASSPHRASE", raising=False)
    monkeypatch.delenv("PROFILEKEEPER_DEBUG", raising=False)
    return home


@pytest.fixture
def vault_path(isolated_home: Path) -> Path:
    return Path(os.environ["PROFILEKEEPER_VAULT"])


@pytest.fixture
def vault(vault_path: Path) -> Iterator[object]:
    """A new, unlocked vault (fast KDF) at ``vault_path``."""
    from profilekeeper.store.vault import Vault

    v = Vault.create(vault_path, PASSPHRASE, kdf=FAST_KDF)
    yield v
    v.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(
    *args: str,
    input: str | None = None,  # noqa: A002 - the same name as subprocess.run uses
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> CliResult:
    """Run ``python -m profilekeeper ARGS`` as a real process (no terminal on stdin)."""
    proc = subprocess.run(
        [sys.executable, "-m", "profilekeeper", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_main(
    *args: str,
    input: str | None = None,  # noqa: A002 - the same name as run_cli's
    env: dict[str, str] | None = None,
) -> CliResult:
    """``profilekeeper ARGS`` in this process: ``cli.main`` with its own standard streams.

    Standard input is ``input`` and no terminal (as with ``run_cli``); ``env`` is set for this
    call only. With the ``fast_kdf`` fixture, ``init`` takes milliseconds instead of a process
    start and a 64 MiB Argon2. What only a real process shows (argv bytes, the script's exit,
    the terminal's encodings) stays with ``run_cli``.
    """
    from profilekeeper.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.setattr(sys, "stdin", io.StringIO(input or ""))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse: --help, --version, a usage error
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> object:
    return run_cli


def every_record(marker: str) -> list[object]:
    """One record of every stored type, each text field carrying ``marker`` (for leak tests)."""
    from datetime import date, datetime
    from decimal import Decimal

    from profilekeeper import model as m

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    person = m.Person(
        name=f"{marker}-person",
        relationship=f"{marker}-rel",
        sizes={"shirt": f"{marker}-size"},
        budget=Decimal("42.50"),
        currency="EUR",
        notes=f"{marker}-notes",
        contact_uid=f"{marker}-uid",
    )
    occasion = m.Occasion(
        kind="birthday",
        month=2,
        day=29,
        year=1988,
        person_id=person.id,
        label=f"{marker}-label",
        lead_days=[21, 7, 1],
        reminder_state={"2026": {"snoozed_until": "2026-02-20"}},
    )
    retailer = m.Retailer(
        name=f"{marker}-shop",
        base_url=f"https://{marker}.example",
        token=f"{marker}-token",
        terms={"retention_days": 30},
        linked_at=now,
    )
    return [
        m.Profile(
            display_name=f"{marker}-me",
            city=f"{marker}-city",
            opted_in=True,
            shipping={"speed": f"{marker}-ship"},
            settings={"theme": "textual-dark"},
        ),
        person,
        m.Interest(category="music", name=f"{marker}-artist", sentiment=m.Sentiment.LOVE),
        m.Interest(
            category="books",
            name=f"{marker}-author",
            sentiment=m.Sentiment.NEVER,
            person_id=person.id,
            source=m.Source.LEARNED,
            weight=0.25,
        ),
        occasion,
        m.Gift(
            title=f"{marker}-gift",
            person_id=person.id,
            occasion_id=occasion.id,
            status=m.GiftStatus.BOUGHT,
            price=Decimal("19.99"),
            currency="EUR",
            retailer=f"{marker}-store",
            url=f"https://{marker}.example/g",
            on=date(2026, 2, 1),
            notes=f"{marker}-gnotes",
        ),
        m.Purchase(
            title=f"{marker}-purchase",
            on=date(2025, 12, 24),
            price=Decimal("5"),
            gift_for=person.id,
            personalize=False,
            category=f"{marker}-cat",
        ),
        retailer,
        m.Grant(retailer_id=retailer.id, slice="interests.music", since=now),
        m.ShareRecord(
            retailer_id=retailer.id,
            sent_at=now,
            slices=["interests.music"],
            purpose=f"{marker}-purpose",
            retention_days=30,
            receipt_id="r1",
            payload=f'{{"x": "{marker}-payload"}}',
            response=f"{marker}-response",
        ),
        m.Suggestion(
            retailer_id=retailer.id,
            remote_id="s1",
            kind="product",
            title=f"{marker}-suggestion",
            creators=[f"{marker}-creator"],
            tags=[f"{marker}-tag"],
            price=Decimal("9.90"),
            reason=f"{marker}-reason",
            details={"city": f"{marker}-venue"},
            received_at=now,
        ),
        m.Rule(
            action=m.RuleAction.HIDE, match={"creator": f"{marker}-blocked"}, note=f"{marker}-rnote"
        ),
    ]


def store_every_record(vault: object, marker: str) -> list[object]:
    records = every_record(marker)
    with vault.transaction():  # type: ignore[attr-defined]
        for record in records:
            vault.save(record)  # type: ignore[attr-defined]
    return records


def secret_service_reachable() -> bool:
    try:
        import secretstorage

        with closing(secretstorage.dbus_init()) as connection:
            return bool(secretstorage.check_service_availability(connection))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@pytest.fixture
def real_keyring() -> None:
    """Skip without a Secret Service, unless PROFILEKEEPER_REQUIRE_KEYRING says to fail."""
    if secret_service_reachable():
        return
    if os.environ.get("PROFILEKEEPER_REQUIRE_KEYRING"):
        pytest.fail("PROFILEKEEPER_REQUIRE_KEYRING is set but no Secret Service is reachable")
    pytest.skip("no Secret Service reachable (run under dbus-run-session + gnome-keyring)")


def count_opens(store: object) -> list[bytes]:
    """From now on, record the associated data of each envelope ``store`` opens."""
    cipher = store._cipher  # type: ignore[attr-defined]
    opened: list[bytes] = []

    class Counting:
        def seal(self, plaintext: bytes, aad: bytes) -> bytes:
            return cipher.seal(plaintext, aad)

        def open(self, sealed: bytes, aad: bytes) -> bytes:
            opened.append(aad)
            return cipher.open(sealed, aad)

    store._cipher = Counting()  # type: ignore[attr-defined]
    return opened


def undo_schema_version_3(db: object) -> None:
    """Take a vault back to version 2, as the previous release left it: no date index."""
    for trigger in ("occasion_added", "occasion_changed", "occasion_removed", "data_key_changed"):
        db.execute(f"DROP TRIGGER {trigger}")  # type: ignore[attr-defined]
    db.execute("DROP TABLE occasion_dates")  # type: ignore[attr-defined]
    db.execute("PRAGMA user_version = 2")  # type: ignore[attr-defined]
