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


def test_the_services_package_names_each_use_case_once_and_lazily() -> None:
    """services/__init__.py imports a use case's module when one of its names is first asked
    for: its table, the imports the type checker reads and ``__all__`` must name the same."""
    import ast
    import importlib
    from pathlib import Path

    import profilekeeper.services as services

    source = ast.parse(Path(services.__file__).read_text())
    typed = {
        (node.module.rsplit(".", 1)[1], alias.name)
        for node in ast.walk(source)
        if isinstance(node, ast.ImportFrom) and node.module.startswith("profilekeeper.services.")
        for alias in node.names
    }
    assert typed == {(module, name) for name, module in services._HOME.items()}
    assert sorted(services.__all__) == sorted(services._HOME)
    assert not set(services._HOME) & set(services._HOMES)  # an imported module would shadow it
    for name, module in services._HOME.items():
        home = importlib.import_module(f"profilekeeper.services.{module}")
        assert getattr(services, name) is getattr(home, name)


def test_importing_the_services_package_imports_no_use_case() -> None:
    loaded = _modules_after_import("import profilekeeper.services")
    assert not {m for m in loaded if m.startswith("profilekeeper.services.")}
