"""What the cold-start benchmarks (bench_cli.py, bench_remind.py) share: a vault where a user's
lives with its key in the Secret Service, the environment a fresh command runs in there, one
fresh process timed, and the costliest imports it makes.

    from _cold import AEAD_FLOOR, remembered_vault, timed, top_imports
    with remembered_vault(build_vault) as cold:
        wall, cpu = timed([str(cold.profilekeeper), "person", "list"], cold.env)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

AEAD_FLOOR = "import sqlite3; from cryptography.hazmat.primitives.ciphers.aead import AESGCM"
"""The design's floor: what any encrypted-vault command must import."""


@dataclass(frozen=True)
class ColdVault:
    path: Path
    vault_id: str
    data_key: bytes
    env: dict[str, str]
    """For fresh commands: no PROFILEKEEPER_ variable, the vault found where a user's lives
    (through platformdirs, as at a login shell), bytecode compiled once and reused, as after
    ``pip install`` (kept out of the tree)."""
    profilekeeper: Path
    """The installed command itself (not ``python -m``, which adds runpy's ~5 ms)."""


def remember(path: Path, vault_id: str, data_key: bytes) -> None:
    from profilekeeper.store import keys
    from profilekeeper.store.vault import Vault

    keys.remember(vault_id, data_key)
    with Vault.open(path) as vault:
        vault.set_remembered(True)
        vault.checkpoint()


@contextmanager
def remembered_vault(
    build: Callable[[Path], tuple[str, bytes]], prefix: str | None = None
) -> Iterator[ColdVault]:
    """A vault made by ``build(path)`` (which returns its id and data key) in a temporary data
    folder, its key remembered in the Secret Service, and forgotten there afterwards."""
    from profilekeeper.store import keys
    from profilekeeper.store.fast_keyring import recall_via_secret_service

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        data_home = Path(tmp) / "share"
        path = data_home / "profilekeeper" / "vault.sqlite3"
        path.parent.mkdir(parents=True, mode=0o700)
        vault_id, data_key = build(path)
        remember(path, vault_id, data_key)
        try:
            if recall_via_secret_service(vault_id) != data_key:
                raise SystemExit("the Secret Service did not give the key back; see the docstring")
            env = {k: v for k, v in os.environ.items() if not k.startswith("PROFILEKEEPER_")}
            env["XDG_DATA_HOME"] = str(data_home)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            script = Path(sys.executable).with_name("profilekeeper")
            yield ColdVault(path, vault_id, data_key, env, script)
        finally:
            keys.forget(vault_id)


def timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process, which must exit with one of
    ``ok`` and print nothing on stderr (unlocked quietly).

    CPU time is reported too because on a shared machine wall time also counts waiting for
    a core; CPU time is what the process itself costs.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok or errors.strip():
        raise SystemExit(f"{' '.join(cmd[1:3])} failed ({code}): {errors.decode().strip()}")
    return elapsed, usage.ru_utime + usage.ru_stime


def top_imports(cmd: list[str], env: dict[str, str], count: int) -> list[dict[str, object]]:
    """The costliest imports the command itself makes (top level of ``-X importtime``)."""
    done = subprocess.run(cmd, env={**env, "PYTHONPROFILEIMPORTTIME": "1"},  # a script's too
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    rows: list[dict[str, object]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if not name.startswith("  "):  # top level: imported by the program, not by a module
            rows.append({"module": name.strip(), "cumulative_ms": int(cumulative) / 1000})
    return sorted(rows, key=lambda r: -float(r["cumulative_ms"]))[:count]  # type: ignore[arg-type]
