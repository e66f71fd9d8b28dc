"""Where a vault lives: ``--vault``, else ``PROFILEKEEPER_VAULT``, else the platform data dir."""

from __future__ import annotations

import os
from pathlib import Path

VAULT_ENV = "PROFILEKEEPER_VAULT"
VAULT_FILENAME = "vault.sqlite3"


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("profilekeeper", appauthor=False)


def resolve_vault_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    if from_env := os.environ.get(VAULT_ENV):
        return Path(from_env).expanduser()
    return default_data_dir() / VAULT_FILENAME


def sidecar_paths(vault: Path) -> list[Path]:
    """SQLite's companion files for ``vault``: write-ahead log, shared memory, rollback journal."""
    return [vault.with_name(vault.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
