"""errors.py's docstring draws the exception tree; this keeps the drawing true (as httpx does).

Every ProfileKeeperError subclass anywhere in the package must be in the tree, under its real
base class, with its real exit status, and naming its module when that is not errors.py; and
errors.py's ``__all__`` names each exception it defines, and INTERNAL_ERROR.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

import profilekeeper
from profilekeeper import errors
from profilekeeper.errors import ProfileKeeperError

LINE = re.compile(
    r"^    (?P<indent>(?:│   |    )*)(?:[├└]── )?(?P<name>[A-Z]\w*)\s*\((?P<code>\d+)\)"
)
"""A line of the tree: its indent (a level per 4 columns), the class's name, its status."""


@dataclass(frozen=True)
class Drawn:
    parent: str | None
    exit_code: int
    line: str


def drawn_tree(doc: str) -> dict[str, Drawn]:
    """Each class the docstring's tree draws: its parent in the drawing, its status, its line."""
    drawn: dict[str, Drawn] = {}
    path: list[str] = []  # the names from the root down to the line above
    for line in doc.splitlines():
        if not (match := LINE.match(line)):
            continue
        depth = len(match["indent"]) // 4 + (1 if "── " in line else 0)
        del path[depth:]
        name = match["name"]
        assert name not in drawn, f"{name} is drawn twice"
        drawn[name] = Drawn(path[-1] if path else None, int(match["code"]), line)
        path.append(name)
    return drawn


def every_error_class() -> set[type[ProfileKeeperError]]:
    """ProfileKeeperError and every subclass the package defines, every module imported."""
    for module in pkgutil.walk_packages(profilekeeper.__path__, "profilekeeper."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[ProfileKeeperError]] = set()
    pending: list[type[ProfileKeeperError]] = [ProfileKeeperError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("profilekeeper."):
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def module_path(cls: type) -> str:
    return cls.__module__.removeprefix("profilekeeper.").replace(".", "/") + ".py"


def test_the_parser_reads_nesting_and_statuses() -> None:
    doc = """
    Root      (70) the root
    ├── A      (2) first child
    │   └── B  (3) a grandchild (x/y.py)
    └── C      (4) last child
        └── D  (5)
    """
    assert drawn_tree(doc) == {
        "Root": Drawn(None, 70, "    Root      (70) the root"),
        "A": Drawn("Root", 2, "    ├── A      (2) first child"),
        "B": Drawn("A", 3, "    │   └── B  (3) a grandchild (x/y.py)"),
        "C": Drawn("Root", 4, "    └── C      (4) last child"),
        "D": Drawn("C", 5, "        └── D  (5)"),
    }


def test_the_tree_draws_every_error_class_with_its_base_and_status() -> None:
    assert errors.__doc__
    drawn = drawn_tree(errors.__doc__)
    classes = {cls.__name__: cls for cls in every_error_class()}
    assert len(classes) == len(every_error_class()), "two error classes share a name"
    assert set(drawn) == set(classes)  # none left out, none that does not exist
    for name, cls in classes.items():
        base = cls.__base__.__name__ if cls is not ProfileKeeperError else None
        assert drawn[name].parent == base, f"{name} is drawn under {drawn[name].parent}"
        assert drawn[name].exit_code == cls.exit_code, f"{name} exits {cls.exit_code}"
        if cls.__module__ != errors.__name__:
            assert f"({module_path(cls)})" in drawn[name].line, f"say where {name} is defined"


def test_all_names_every_exception_errors_defines() -> None:
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == errors.__name__
    }
    assert sorted(errors.__all__) == sorted(defined | {"INTERNAL_ERROR"})
    assert all(hasattr(errors, name) for name in errors.__all__)
