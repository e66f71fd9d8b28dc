"""The markup/escape corpus through ``profilekeeper suggestions`` (text, ``--json``, ``--hidden``)
on a real vault holding it as stored (#16 §5): every title, shop name and reason comes out as the
sanitized string, and nothing a terminal would act on reaches stdout."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, run_main

from profilekeeper.cli._output import printable
from profilekeeper.model import Retailer, Suggestion
from profilekeeper.store.vault import Vault
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.suggestion_limits import MAX_TITLE
from tests.tui.test_suggestions_display import CONTROL, CORPUS

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
pytestmark = pytest.mark.usefixtures("fast_kdf")


def ok(*args: str) -> str:
    result = run_main(*args, env=ENV)
    assert result.code == 0, result.err
    assert not CONTROL.search(result.out.replace("\n", "")), repr(result.out)
    return result.out


def _stock(vault_path: Path) -> dict[str, str]:
    """A shop named by each corpus entry, a product titled by it, an event in it as a city."""
    ok("init")
    ok("profile", "set", "--city", "Lisbon")
    shops = {}
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        items = []
        for n, text in enumerate(CORPUS.values()):
            shop = vault.add(Retailer(f"{text} {n}", f"https://s{n}.example"))
            shops[shop.id] = " ".join(clean_text(shop.name, limit=80).split())
            items += [
                Suggestion(shop.id, f"p{n}", "product", f"{text} {n}", creators=[text],
                           category=text, tags=[text]),
                Suggestion(shop.id, f"e{n}", "event", f"event {n}",
                           details={"city": f"{text} {n}", "date": "2099-04-01T20:00:00Z"}),
            ]  # fmt: skip
        vault.add_all(items)
    return shops


def test_the_corpus_is_plain_in_every_output(vault_path: Path) -> None:
    shops = _stock(vault_path)
    texts = list(CORPUS.values())
    rows: list[dict[str, Any]] = json.loads(ok("suggestions", "--json"))
    assert sorted(r["title"] for r in rows) == sorted(
        clean_text(f"{t} {n}", limit=MAX_TITLE) for n, t in enumerate(texts))
    for r in rows:
        assert r["shop"] in shops.values() and r["reason"] == f"suggested by {r['shop']}"
        assert not any(CONTROL.search(c) for c in r["creators"])
    hidden: list[dict[str, Any]] = json.loads(ok("suggestions", "--hidden", "--json"))
    assert sorted(r["hidden_reason"] for r in hidden) == sorted(
        f"an event in {clean_text(f'{t} {n}', limit=80)}, not in Lisbon"
        for n, t in enumerate(texts))  # fmt: skip
    text = ok("suggestions")
    for r in rows:  # each title (up to a table's cut; what prints not, a space) in the text
        assert re.search(re.escape(printable(r["title"])[:30]), text), r["title"]
    assert "\x1b" not in ok("suggestions", "--hidden")
