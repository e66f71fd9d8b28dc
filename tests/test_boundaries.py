"""The house rule, enforced: the core imports no Textual, and the CLI stays light to start."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

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
    for. The imports the type checker reads (each ``X as X``, else mypy would not export it) and
    the table the package serves names from hold the same names, ``__all__`` is the table's, and
    each name is its module's own object."""
    import ast
    import importlib
    from pathlib import Path

    import profilekeeper.services as services

    source = ast.parse(Path(services.__file__).read_text())
    typed = [
        (node.module, alias.name, alias.asname)
        for node in ast.walk(source)
        if isinstance(node, ast.ImportFrom) and node.module
        and node.module.startswith("profilekeeper.services.")
        for alias in node.names
    ]
    assert len(typed) > 100 and all(name == asname for _, name, asname in typed)
    assert sorted(services._HOME.items()) == sorted(
        (name, module.rsplit(".", 1)[1]) for module, name, _ in typed)
    assert services.__all__ == sorted(services._HOME)
    assert not set(services._HOME) & set(services._HOME.values())  # a module would shadow it
    for name, module in services._HOME.items():
        home = importlib.import_module(f"profilekeeper.services.{module}")
        assert getattr(services, name) is getattr(home, name)
    with pytest.raises(AttributeError):
        services.no_such_use_case  # noqa: B018


def test_importing_the_services_package_imports_no_use_case() -> None:
    loaded = _modules_after_import("import profilekeeper.services")
    assert not {m for m in loaded if m.startswith("profilekeeper.services.")}
