"""The everyday commands start light: run for real on a vault unlocked from the keyring, they
import neither the ORM nor the network, the UI or ``keyring`` itself (issue #19 §2).

Each command runs in a fresh process (what a process has imported is the point), on a vault whose
key is remembered in a real Secret Service, and its answer is checked too: a command that failed
early would import little.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from profilekeeper.model import Gift, Occasion, Person

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "textual", "httpx", "keyring", "fastapi", "rich")
"""Packages no everyday command needs: the ORM (only creating and upgrading a vault use it),
the app, the network, keyring's backend discovery."""

EVERYDAY = [
    (["person", "list"], "Sam"),
    (["gift", "list"], "Book"),
    (["occasion", "list"], "birthday"),
    (["person", "add", "Kim", "--birthday", "--03-15"], "Added 1 person."),
    (["gift", "add", "Sam", "Scarf", "--occasion", "birthday"], "Added 1 gift."),
]


@pytest.fixture
def remembered(real_keyring: None, vault: object) -> Iterator[None]:
    """The conftest's vault with Sam, his birthday and a gift idea, its key in the keyring."""
    from profilekeeper.store import keys

    sam = Person("Sam")
    birthday = Occasion("birthday", 5, 10, 1986, person_id=sam.id)
    with vault.transaction():  # type: ignore[attr-defined]
        for record in (sam, birthday, Gift("Book", person_id=sam.id)):
            vault.add(record)  # type: ignore[attr-defined]
    keys.remember(vault.vault_id, vault.data_key)  # type: ignore[attr-defined]
    vault.set_remembered(True)  # type: ignore[attr-defined]
    vault.close()  # type: ignore[attr-defined]
    yield
    keys.forget(vault.vault_id)  # type: ignore[attr-defined]


def _imported_by(argv: list[str]) -> tuple[int, str, set[str]]:
    """Run ``profilekeeper ARGV`` in a fresh process: its status, output and every module loaded."""
    probe = (
        "import sys\n"
        "from profilekeeper.cli import main\n"
        f"code = main({argv!r})\n"
        "print('\\n' + ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PROFILEKEEPER_PASSPHRASE"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip
    errors, _, modules = done.stderr.rstrip("\n").rpartition("\n")
    assert done.returncode == 0, errors
    assert not errors.strip()  # unlocked from the keyring, quietly
    return done.returncode, done.stdout, set(modules.split())


@pytest.mark.keyring
@pytest.mark.parametrize(("argv", "says"), EVERYDAY, ids=[" ".join(a[:2]) for a, _ in EVERYDAY])
def test_an_everyday_command_imports_nothing_heavy(
    remembered: None, vault_path: Path, argv: list[str], says: str
) -> None:
    _, out, loaded = _imported_by(argv)
    assert says in out
    assert "jeepney" in loaded  # the key came from the Secret Service, over D-Bus
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
    # Only the use cases it runs: not sharing (asyncio), shops or the rest.
    assert not {"asyncio", "profilekeeper.services.sharing", "profilekeeper.services.shops"} \
        & loaded
