"""The owner's settings live in one profile record, which several writers change: the app's
Settings screen, remind's sealed marks from cron, `notify set` from a shell. A change to one
setting never drops another writer's change made meanwhile."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from conftest import PASSPHRASE

from profilekeeper import services
from profilekeeper.store.vault import Vault


def test_a_setting_changed_keeps_what_another_writer_saved_meanwhile(
    vault: Any, vault_path: Path
) -> None:
    """Between the app reading the profile and saving it, a second program sets its own
    setting (a thread with its own store on the same file). Both settings stay."""
    other = Vault.open(vault_path)
    other.unlock(PASSPHRASE)
    writer: threading.Thread | None = None
    read_profile = vault.profile

    def profile_then_another_writer() -> Any:
        nonlocal writer
        profile = read_profile()
        if writer is None:  # once: the other program writes right after this read
            writer = threading.Thread(
                target=services.set_notify_command, args=(other, "notify-send gift"))
            writer.start()
            writer.join(0.5)  # it waits for the lock if the read is inside a transaction
        return profile

    vault.profile = profile_then_another_writer
    try:
        services.update_settings(vault, theme="nord")
    finally:
        del vault.profile
    assert writer is not None
    writer.join()
    other.close()
    settings = vault.profile().settings
    assert settings["theme"] == "nord"
    assert settings[services.NOTIFY_COMMAND] == "notify-send gift"
