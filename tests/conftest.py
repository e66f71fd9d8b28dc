"""Fixtures shared by every test: the developer's machine is kept out.

HOME and the XDG directories point at a temporary folder, so no real vault, config or keyring
file is touched; ``PROFILEKEEPER_VAULT`` points at a fresh path; no passphrase leaks in from the
environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from profilekeeper.store.crypto import KdfParams

PASSPHRASE = "correct horse battery"
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
"""Weak on purpose, for tests that make many vaults in-process; the CLI always uses defaults."""


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
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


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> CliResult:
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


@pytest.fixture
def cli() -> object:
    return run_cli
