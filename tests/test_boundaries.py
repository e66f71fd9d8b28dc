"""The house rule, enforced: the core imports no Textual, and the CLI stays light to start."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import profilekeeper

UI_PACKAGES = (
    "profilekeeper.app",
    "profilekeeper.screens",
    "profilekeeper.widgets",
    "profilekeeper.commands",
    "profilekeeper.messages",
    "profilekeeper.cli.app",
)


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(profilekeeper.__path__, "profilekeeper."):
        # __main__ modules run a program when imported; they only call into the modules below.
        if not info.name.startswith(UI_PACKAGES) and not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def _modules_after_import(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_core_modules_import_no_textual() -> None:
    core = _core_modules()
    assert {"profilekeeper.store.vault", "profilekeeper.model", "profilekeeper.cli"} <= set(core)
    loaded = _modules_after_import("\n".join(f"import {name}" for name in core))
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_building_the_cli_parser_imports_nothing_heavy() -> None:
    loaded = _modules_after_import(
        "from profilekeeper.cli import build_parser\nbuild_parser().parse_args(['person', 'list'])"
    )
    heavy = {"sqlalchemy", "sqlmodel", "textual", "httpx", "keyring", "fastapi", "pydantic"}
    assert not heavy & {m.split(".")[0] for m in loaded}
