"""The vault's default place is the one platformdirs gives, with or without platformdirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import user_data_path

from profilekeeper.store import paths


@pytest.mark.parametrize(
    ("xdg_data_home", "home"),
    [
        ("/srv/data", "/home/ann"),  # XDG_DATA_HOME wins
        (None, "/home/ann"),  # ~/.local/share
        ("", "/home/ann"),  # empty: unset
        ("relative/data", "/home/ann"),  # relative: ignored, as the XDG spec says
        (None, "relative-home"),  # a relative HOME: left to platformdirs (it asks pwd)
        (None, ""),
        ("/srv/data", ""),
    ],
)
def test_the_default_data_dir_is_platformdirs_own(monkeypatch, xdg_data_home, home) -> None:
    for name, value in (("XDG_DATA_HOME", xdg_data_home), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert paths.default_data_dir() == user_data_path("profilekeeper", appauthor=False)
    assert paths.default_data_dir().is_absolute()


def test_the_vault_path_comes_from_the_flag_then_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(paths.VAULT_ENV, raising=False)
    assert paths.resolve_vault_path() == tmp_path / "data" / "profilekeeper" / "vault.sqlite3"
    monkeypatch.setenv(paths.VAULT_ENV, "~/elsewhere.sqlite3")
    assert paths.resolve_vault_path() == Path.home() / "elsewhere.sqlite3"
    assert paths.resolve_vault_path("/given.sqlite3") == Path("/given.sqlite3")
