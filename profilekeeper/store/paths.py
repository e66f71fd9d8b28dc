"""Where a vault lives: ``--vault``, else ``PROFILEKEEPER_VAULT``, else the platform data dir.

``remind`` finds its vault with ``os.path`` alone: ``pathlib`` (with the ``urllib.parse`` it
imports) and platformdirs would cost each login shell ~13 ms.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

VAULT_ENV = "PROFILEKEEPER_VAULT"
VAULT_FILENAME = "vault.sqlite3"
APP_NAME = "profilekeeper"


def _xdg_data_home() -> str | None:
    """Linux's user data dir as the XDG spec (and platformdirs) has it, in the two plain cases.

    ``remind`` asks at every login shell and ``import platformdirs`` costs it ~7 ms; anything
    less plain (another platform, a relative ``HOME``) gets None and is left to platformdirs.
    """
    if sys.platform != "linux":
        return None
    if os.path.isabs(data_home := os.environ.get("XDG_DATA_HOME", "")):
        return data_home
    if os.path.isabs(home := os.environ.get("HOME", "")):
        return os.path.join(home, ".local", "share")
    return None


def _data_dir() -> str:
    if data_home := _xdg_data_home():
        return os.path.join(data_home, APP_NAME)
    from platformdirs import user_data_dir

    return user_data_dir(APP_NAME, appauthor=False)


def default_data_dir() -> Path:
    from pathlib import Path

    return Path(_data_dir())


def vault_location(explicit: str | os.PathLike[str] | None = None) -> str:
    """The vault's file name: ``explicit``, else ``$PROFILEKEEPER_VAULT``, else the default."""
    if explicit:
        return os.path.expanduser(explicit)
    if from_env := os.environ.get(VAULT_ENV):
        return os.path.expanduser(from_env)
    return os.path.join(_data_dir(), VAULT_FILENAME)


def resolve_vault_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    from pathlib import Path

    return Path(vault_location(explicit))


def sidecar_paths(vault: Path) -> list[Path]:
    """SQLite's companion files for ``vault``: write-ahead log, shared memory, rollback journal."""
    return [vault.with_name(vault.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
