"""End to end in a real terminal: tmux runs ``python -m profilekeeper`` on a fresh vault.

The test types like a person would — first run, a new person, their birthday — quits, and asks
the CLI (a separate process) what the vault holds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

PASSPHRASE = "tmux test passphrase"


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], check=True, capture_output=True,
                              text=True).stdout

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", "--", text)

    def key(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)
            time.sleep(0.15)

    def quit(self, timeout: float = 20) -> None:
        """Ctrl+Q, then wait for the app to exit (its session ends with it)."""
        self.key("C-q")
        deadline = time.monotonic() + timeout
        while subprocess.run(["tmux", "has-session", "-t", self.session],
                             capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, f"the app did not quit:\n{self.screen()}"
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen():
                time.sleep(0.3)  # let focus settle on the new screen before typing
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")


def open_terminal(vault_path: Path, **extra: str) -> Terminal:
    """``profilekeeper`` in a new 80×24 tmux session, with only the environment it needs."""
    session = f"pk-{uuid.uuid4().hex[:8]}"
    env = {k: os.environ[k] for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                                      "XDG_CACHE_HOME", "XDG_STATE_HOME", "PATH")}
    env |= {"PROFILEKEEPER_VAULT": str(vault_path), "TERM": "xterm-256color", **extra}
    exports = " ".join(f"{k}={v!r}" for k, v in env.items())
    command = f"env -i {exports} {sys.executable} -m profilekeeper"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    command], check=True, cwd=Path(__file__).parents[2])
    return Terminal(session)


@pytest.fixture
def terminal(vault_path: Path):  # type: ignore[no-untyped-def]
    term = open_terminal(vault_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    try:
        yield term
    finally:
        term.close()


def test_type_a_person_and_a_birthday_then_check_with_the_cli(terminal: Terminal) -> None:
    terminal.wait_for("Welcome to profilekeeper")
    terminal.type("Ann")
    terminal.key("Tab")
    terminal.type(PASSPHRASE)
    terminal.key("Tab")  # to the confirmation (the strength hint takes no focus)
    terminal.type(PASSPHRASE)
    terminal.key("Enter")
    terminal.wait_for("Personalization")
    terminal.key("Tab", "Enter")  # "No, greeting only"
    terminal.wait_for("Welcome back, Ann!")
    terminal.key("3")
    terminal.wait_for("search people")
    terminal.key("a")
    terminal.wait_for("Relationship")
    terminal.type("Zoë Example")
    terminal.key("Tab")
    terminal.type("friend")
    terminal.key("Enter")
    terminal.wait_for("Dates")  # the new person's screen
    terminal.key("o")
    terminal.wait_for("Remind (days)")
    terminal.key("Tab", "Tab")  # kind → label → date
    terminal.type("--07-21")
    terminal.key("Tab")
    terminal.key("BSpace", "BSpace", "BSpace", "BSpace")
    terminal.type("10,2")
    terminal.key("Enter")
    terminal.wait_for("--07-21")
    terminal.quit()

    result = run_cli("person", "list", "--json", env={"PROFILEKEEPER_PASSPHRASE": PASSPHRASE})
    assert result.code == 0, result.err
    people = json.loads(result.out)
    [zoe] = [p for p in people if p["name"] == "Zoë Example"]
    assert "07-21" in json.dumps(zoe)


@pytest.mark.keyring
def test_a_remembered_key_opens_home_and_people_at_once(real_keyring, vault_path: Path) -> None:
    """The start-up path: the real Secret Service opens the store, and writing works."""
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    for args in (("init", "--remember"), ("profile", "set", "--name", "Ann", "--opt-in"),
                 ("person", "add", "Sam Example", "--birthday", "--03-10")):
        result = run_cli(*args, env=env)
        assert result.code == 0, result.err
    terminal = open_terminal(vault_path, DBUS_SESSION_BUS_ADDRESS=os.environ.get(
        "DBUS_SESSION_BUS_ADDRESS", ""))
    try:
        terminal.wait_for("Hello, Ann.")  # opted in; no passphrase asked
        terminal.key("3")
        terminal.wait_for("Sam Example")
        deadline = time.monotonic() + 20
        while "shirt=M" not in terminal.screen():  # the form (an early key may be lost)
            assert time.monotonic() < deadline, terminal.screen()
            terminal.key("a")
        terminal.wait_for("shirt=M")
        # An "a" sent while the form was opening may have landed in the name field: clear it.
        terminal.key("C-u")
        terminal.type("Tove Example")
        terminal.key("Enter")
        terminal.wait_for("Dates")
        terminal.quit()
    finally:
        terminal.close()
        run_cli("keyring", "forget", env=env)
    result = run_cli("person", "list", "--json", env=env)
    assert result.code == 0, result.err
    assert {p["name"] for p in json.loads(result.out)} == {"Sam Example", "Tove Example"}
