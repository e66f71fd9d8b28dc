"""The plain-Python modules behind the app never pull in Textual (Harlequin's hygiene test)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["profilekeeper.services", "profilekeeper.demo"])
def test_module_does_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# --- Textual's private attributes: none reached, in the app or its tests --------------------


def textual_private_names() -> set[str]:
    """Names Textual keeps private (one leading underscore) on the classes the app builds on,
    and on an App's and a Screen's instance."""
    from textual.app import App
    from textual.command import Provider
    from textual.pilot import Pilot
    from textual.screen import ModalScreen, Screen
    from textual.widget import Widget
    from textual.widgets import Button, DataTable, Input, Select, Static

    classes = (App, Screen, ModalScreen, Widget, DataTable, Input, Select, Static, Button,
               Pilot, Provider)  # fmt: skip
    names = {name for cls in classes for name in dir(cls)}
    names |= set(vars(App())) | set(vars(Screen()))
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def test_no_private_attribute_of_textual_is_reached() -> None:
    """A Textual release may rename any of them; the app and its tests use the public API."""
    import ast
    from pathlib import Path

    private = textual_private_names()
    assert {"_bindings", "_decorated_handlers", "_notifications", "_compositor"} <= private
    root = Path(__file__).parents[2]

    def named(node: ast.AST) -> str | None:  # x._name, or getattr(x, "_name") and the like
        if isinstance(node, ast.Attribute):
            return node.attr
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        return node.value if is_text else None  # type: ignore[attr-defined, no-any-return]

    reached = [
        f"{path.relative_to(root)}:{node.lineno} {named(node)}"
        for folder in ("profilekeeper", "tests", "benchmarks")
        for path in sorted((root / folder).rglob("*.py"))
        if path != Path(__file__)  # the names above
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if named(node) in private
    ]
    assert reached == []


def test_data_screens_decorate_handlers_with_the_guarded_on() -> None:
    """``screens.base.on`` guards each handler (see screens/base.py); Textual's own does not."""
    import importlib
    import inspect
    import pkgutil

    import profilekeeper.screens
    from profilekeeper.screens import base

    for info in pkgutil.iter_modules(profilekeeper.screens.__path__, "profilekeeper.screens."):
        module = importlib.import_module(info.name)
        defines_data_screen = any(
            issubclass(value, base.VaultScreen) and value.__module__ == module.__name__
            for value in vars(module).values()
            if inspect.isclass(value)
        )
        if defines_data_screen and module is not base:
            assert getattr(module, "on", base.on) is base.on, f"{info.name} imports Textual's on"
