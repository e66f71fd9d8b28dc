"""The light keyring lookup finds what ``store.keys.remember`` wrote, in a real Secret Service."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from profilekeeper.store import fast_keyring, keys
from tests.conftest import run_cli
from tests.reminders.conftest import TODAY

pytestmark = [pytest.mark.keyring, pytest.mark.usefixtures("real_keyring")]


@pytest.fixture
def remembered(vault):
    """The vault's key remembered in the real keyring (and forgotten afterwards)."""
    keys.remember(vault.vault_id, vault.data_key)
    vault.set_remembered(True)
    yield vault
    keys.forget(vault.vault_id)


def test_fast_lookup_finds_the_key_keyring_stored(remembered):
    assert fast_keyring.recall_via_secret_service(remembered.vault_id) == remembered.data_key
    assert fast_keyring.recall(remembered.vault_id) == remembered.data_key


def test_nothing_remembered_is_none(vault):
    assert fast_keyring.recall_via_secret_service(vault.vault_id) is None
    assert fast_keyring.recall(vault.vault_id) is None


def test_remind_unlocks_from_the_keyring_without_importing_keyring(remembered, family):
    remembered.close()
    probe = (
        "import sys\n"
        "from profilekeeper.cli import main\n"
        f"code = main(['remind', '--today', '{TODAY.isoformat()}', '--days', '60'])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=dict(os.environ), timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Sam turns 40" in result.stdout
    loaded = set(result.stderr.splitlines()[-1].split())
    assert "jeepney" in loaded  # it asked the Secret Service itself
    heavy = ("keyring", "secretstorage", "sqlalchemy", "sqlmodel", "textual", "httpx")
    assert not {m for m in loaded if m.split(".")[0] in heavy}


def test_a_stale_keyring_copy_is_said_plainly_and_exits_3(vault, family):
    keys.remember(vault.vault_id, bytes(32))  # not this vault's key
    vault.set_remembered(True)
    vault.close()
    try:
        result = run_cli("remind", "--today", TODAY.isoformat())
    finally:
        keys.forget(vault.vault_id)
    assert result.code == 3
    assert "out of date" in result.err and "Traceback" not in result.err


def test_a_timer_run_unlocked_from_the_keyring_fires_and_records_the_hook(remembered, family,
                                                                          tmp_path):
    """The unattended case: no passphrase anywhere, the key from the Secret Service."""
    log = tmp_path / "fired.log"
    remembered.close()
    hook = f'echo "$PROFILEKEEPER_PERSON $PROFILEKEEPER_LEAD" >> {log}'
    for _ in range(2):  # the second run finds the point already fired
        result = run_cli("remind", "--today", TODAY.isoformat(), "--quiet", "--exec", hook)
        assert (result.code, result.err) == (1, "")
    assert log.read_text() == "Sam 14\n"
