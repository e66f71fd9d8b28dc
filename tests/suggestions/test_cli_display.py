"""The markup/escape corpus through ``profilekeeper suggestions`` (text, ``--json``, ``-p``,
``--hidden``) on a real vault holding it as stored (#16 §5): every title, shop name and reason
comes out as the sanitized string, and nothing a terminal would act on reaches stdout."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, run_cli, run_main

from profilekeeper.cli._output import printable
from profilekeeper.cli.suggestions import COLUMNS
from profilekeeper.model import Grant, Person, Retailer, Suggestion
from profilekeeper.store.vault import Vault
from profilekeeper.sync.refs import person_ref
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.suggestion_limits import MAX_TITLE
from tests.escape_corpus import CONTROL, CORPUS

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
pytestmark = pytest.mark.usefixtures("fast_kdf")


def ok(*args: str) -> str:
    result = run_main(*args, env=ENV)
    assert result.code == 0, result.err
    separators = "\n\t" if {"-p", "--parseable"} & set(args) else "\n"  # -p: tab-separated
    assert not CONTROL.search(re.sub(f"[{separators}]", "", result.out)), repr(result.out)
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


def test_parsable_rows_are_one_line_each_with_every_column(vault_path: Path) -> None:
    """``-p``: one row a line, the documented columns tab-separated, lists joined with ';'; the
    same items, in the same order, as ``--json``; ``--header`` names the columns first."""
    assert f"columns: {' '.join(COLUMNS)}" in " ".join(ok("suggestions", "--help").split())
    _stock(vault_path)
    rows: list[dict[str, Any]] = json.loads(ok("suggestions", "--json"))
    lines = ok("suggestions", "-p").splitlines()
    assert len(lines) == len(rows) > 0
    fields = [line.split("\t") for line in lines]
    assert {len(f) for f in fields} == {len(COLUMNS)}
    for got, row in zip(fields, rows, strict=True):
        record = dict(zip(COLUMNS, got, strict=True))
        assert record["id"] == row["id"] and record["title"] == printable(row["title"])
        assert record["creators"] == ";".join(map(printable, row["creators"]))
        assert record["reason"] == printable(row["reason"]) and record["hidden_reason"] == ""
    assert ok("suggestions", "--parseable", "--header").splitlines() == \
        ["\t".join(COLUMNS), *lines]  # fmt: skip
    hidden: list[dict[str, Any]] = json.loads(ok("suggestions", "--hidden", "--json"))
    hidden_lines = ok("suggestions", "--hidden", "-p").splitlines()
    assert len(hidden_lines) == len(hidden) > 0
    for line, row in zip(hidden_lines, hidden, strict=True):
        record = dict(zip(COLUMNS, line.split("\t"), strict=True))
        assert record["hidden_reason"] == printable(row["hidden_reason"])
        assert record["reason"] == "" and record["hidden_by"] == ""  # by the city: no rule


def test_parsable_through_the_real_process(vault_path: Path) -> None:
    """A real ``profilekeeper suggestions -p`` process; a rule's id in ``hidden_by``, and an
    owner's text (the person a gift idea is for) with a tab and a newline kept on one line."""
    ok("init")
    ok("person", "add", "Sam")
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        [sam] = vault.list(Person)
        vault.save(replace(sam, name="Sam\tthe\nkid"))  # as an imported file could hold it
        shop = vault.add(Retailer("Shop", "https://s.example"))
        vault.add(Grant(shop.id, "people", since=datetime(2026, 1, 1, tzinfo=UTC),
                        person_id=sam.id))  # fmt: skip
        vault.add_all([
            Suggestion(shop.id, "1", "product", "Kite", creators=["A", "B"],
                       for_ref=person_ref(shop.ref_key, sam.id)),
            Suggestion(shop.id, "2", "product", "Drum", category="music"),
        ])  # fmt: skip
    ok("rule", "add", "hide", "category=music")
    [rule] = json.loads(ok("rule", "list", "--json"))
    result = run_cli("suggestions", "--person", "Sam\tthe\nkid", "-p", env=ENV)
    assert result.code == 0, result.err
    [line] = result.out.splitlines()
    record = dict(zip(COLUMNS, line.split("\t"), strict=True))
    assert (record["title"], record["creators"], record["for"], record["shop"]) == \
        ("Kite", "A;B", "Sam the kid", "Shop")  # fmt: skip
    hidden = run_cli("suggestions", "--hidden", "-p", "--header", env=ENV)
    assert hidden.code == 0, hidden.err
    header, row = hidden.out.splitlines()
    assert header.split("\t") == list(COLUMNS)
    assert dict(zip(COLUMNS, row.split("\t"), strict=True))["hidden_by"] == f"rule:{rule['id']}"
    bad = run_cli("suggestions", "--header", env=ENV)
    assert bad.code == 2 and "--header goes with -p" in bad.err
