""" "Remember on this device": a real Secret Service when there is one, a clean fallback when not.

Keyring tests run against gnome-keyring on a private D-Bus session (``make test`` starts it).
Outside that they skip, unless PROFILEKEEPER_REQUIRE_KEYRING is set: then they fail.
Every command that touches the keyring runs as a real process (keyring picks its backend once
per process, from the environment); a plain ``init`` runs in-process with the fast test KDF,
so the processes after it unlock in milliseconds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_cli, run_main

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}

pytestmark = pytest.mark.usefixtures("fast_kdf")


@pytest.fixture
def no_dbus(tmp_path: Path) -> dict[str, str]:
    """An environment in which keyring finds no backend at all."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return {"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": str(runtime)}


@pytest.mark.keyring
def test_remember_then_commands_unlock_without_asking_until_forget(
    real_keyring: None, vault_path: Path
) -> None:
    assert run_main("init", env=ENV).code == 0
    assert run_cli("person", "add", "Sam", env=ENV).code == 0
    assert run_cli("person", "list").code == 3  # nothing remembered yet

    remembered = run_cli("keyring", "remember", env=ENV)
    assert remembered.code == 0 and "Remembered" in remembered.out
    unattended = run_cli("person", "list")  # no passphrase, no terminal
    assert unattended.code == 0 and "Sam" in unattended.out
    assert "Remembered on this device" in run_cli("keyring", "status").out

    # Rotation replaces the key; the keyring copy follows it.
    assert run_cli("rotate-key", env=ENV).code == 0
    assert run_cli("person", "list").code == 0

    forgot = run_cli("keyring", "forget")
    assert forgot.code == 0 and "Forgot" in forgot.out
    asked = run_cli("person", "list")
    assert asked.code == 3 and "--passphrase-stdin" in asked.err
    assert "Not remembered" in run_cli("keyring", "status").out


@pytest.mark.keyring
def test_init_remember_and_a_stale_keyring_copy(real_keyring: None, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    assert run_cli("init", "--remember", "--vault", str(a), env=ENV).code == 0
    assert run_cli("person", "list", "--vault", str(a)).code == 0

    # Vault b claims to be remembered, under a's vault id: its keyring entry holds a's key.
    assert run_main("init", "--vault", str(b), env=ENV).code == 0
    with sqlite3.connect(a) as db:
        a_id = db.execute("SELECT vault_id FROM vault_header").fetchone()[0]
    with sqlite3.connect(b) as db:
        db.execute("UPDATE vault_header SET vault_id = ?, remembered = 1", (a_id,))
    stale = run_cli("person", "list", "--vault", str(b))
    assert stale.code == 3
    assert "out of date" in stale.err and "Traceback" not in stale.err


@pytest.mark.nokeyring
def test_with_no_keyring_backend_remember_fails_plainly(no_dbus, vault_path: Path) -> None:
    env = {**ENV, **no_dbus}
    created = run_cli("init", "--remember", env=env)
    assert created.code == 0 and vault_path.exists()
    assert "no system keyring is available" in created.err

    remember = run_cli("keyring", "remember", env=env)
    assert remember.code == 3
    assert remember.err.strip() == "profilekeeper: no system keyring is available on this machine"
    assert "Not remembered: no system keyring" in run_cli("keyring", "status", env=no_dbus).out


@pytest.mark.nokeyring
def test_a_vault_remembered_elsewhere_falls_back_to_the_passphrase(no_dbus, vault_path) -> None:
    assert run_main("init", env=ENV).code == 0
    with sqlite3.connect(vault_path) as db:
        db.execute("UPDATE vault_header SET remembered = 1")

    with_passphrase = run_cli("person", "list", env={**ENV, **no_dbus})
    assert with_passphrase.code == 0  # an explicit passphrase never touches the keyring
    without = run_cli("person", "list", env=no_dbus)
    assert without.code == 3
    assert "no system keyring is available on this machine; using the passphrase" in without.err
    assert "Traceback" not in without.err
