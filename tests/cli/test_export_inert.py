"""Every export is inert (#16 §5): the JSON export, the calendar and the vdir, written from a
vault holding the escape corpus as the owner's own text (names, notes, labels, as an imported
file or a paste brings them) and as shop text (a shop's name, its suggestions, the activity
log), hold no control, escape, C1, bidi or zero-width character raw: the file's bytes, read back
with ``cat``, are checked. In the JSON export the owner's text is all there, each such character
a ``\\u`` escape, so it imports back exactly; shop text is written as the pipeline shows it."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, run_main

from profilekeeper.model import (
    Gift,
    Interest,
    Occasion,
    Person,
    Retailer,
    Sentiment,
    ShareRecord,
    Suggestion,
)
from profilekeeper.store.vault import Vault
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.suggestion_limits import MAX_CREATOR, MAX_TITLE
from tests.escape_corpus import CONTROL, CORPUS, raw_controls

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
pytestmark = pytest.mark.usefixtures("fast_kdf")


def ok(*args: str) -> str:
    result = run_main(*args, env=ENV)
    assert result.code == 0, result.err
    return result.out


def cat(path: Path) -> bytes:
    """The file's bytes as a terminal would get them."""
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout


def _stock(vault_path: Path) -> dict[str, Any]:
    """Per corpus entry: a person named by it with notes of it, a birthday labelled by it, an
    interest and a gift; a shop named by it, a suggestion from it, an activity-log entry."""
    ok("init")
    owner: dict[str, Any] = {}
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        for n, text in enumerate(CORPUS.values()):
            person = vault.add(Person(f"{text} {n}", notes=f"notes {text}"))
            vault.add(Occasion("other", 3, 1 + n, label=f"{text} {n}", person_id=person.id))
            vault.add(Interest("music", f"{text} {n}", Sentiment.LOVE))
            vault.add(Gift(f"gift {text}", person_id=person.id))
            shop = vault.add(Retailer(f"{text} {n}", f"https://s{n}.example",
                                      discovery={"retailer": {"name": text}}))
            vault.add(Suggestion(shop.id, f"r{n}", "release", f"{text} {n}",
                                 creators=[text], category=text, tags=[text], reason=text,
                                 currency=text, details={"release_date": "2099-01-01",
                                                         "venue": text}))  # fmt: skip
            vault.add(ShareRecord(shop.id, datetime(2026, 1, 1, tzinfo=UTC),
                                  shop_name=f"{text} {n}", response=f"echo {text}"))
            owner[person.id] = (f"{text} {n}", f"notes {text}")
    return owner


def test_the_json_export_is_inert_and_the_owners_text_round_trips(vault_path: Path,
                                                                  tmp_path: Path) -> None:
    owner = _stock(vault_path)
    out = tmp_path / "export.json"
    ok("export", "-o", str(out))
    data = cat(out)
    assert raw_controls(data) == []
    records = json.loads(data)["records"]
    # The owner's own text: whole, exactly as stored.
    assert {p["id"]: (p["name"], p["notes"]) for p in records["people"]} == owner
    assert sorted(i["name"] for i in records["interests"]) == sorted(
        f"{t} {n}" for n, t in enumerate(CORPUS.values()))
    assert sorted(r["response"] for r in records["share_records"]) == sorted(
        f"echo {t}" for t in CORPUS.values())  # the exact answer, kept as evidence
    # Shop text: as the pipeline shows it.
    for s in records["suggestions"]:
        assert not any(CONTROL.search(v) for v in (s["title"], s["category"], s["reason"],
                                                   s["details"]["venue"], *s["creators"],
                                                   *s["tags"]))  # fmt: skip
        assert s["currency"] == ""  # no corpus entry is a currency code
    assert sorted(s["title"] for s in records["suggestions"]) == sorted(
        clean_text(f"{t} {n}", limit=MAX_TITLE).rstrip() for n, t in enumerate(CORPUS.values()))
    assert sorted(c for s in records["suggestions"] for c in s["creators"]) == sorted(
        c for t in CORPUS.values() if (c := clean_text(t, limit=MAX_CREATOR).rstrip()))
    for shop in records["retailers"]:
        assert not CONTROL.search(shop["name"] + shop["discovery"]["retailer"]["name"])
    assert not any(CONTROL.search(r["shop_name"]) for r in records["share_records"])
    # Imported into a new vault and exported again: the same bytes.
    again = tmp_path / "again.json"
    env = {**ENV, "PROFILEKEEPER_VAULT": str(tmp_path / "copy.vault")}
    for args in (("init",), ("import", str(out)), ("export", "-o", str(again))):
        result = run_main(*args, env=env)
        assert result.code == 0, result.err
    assert cat(again) == data


def test_the_json_export_to_stdout_is_inert(vault_path: Path) -> None:
    _stock(vault_path)
    text = ok("export")
    assert raw_controls(text.encode()) == [] and json.loads(text)["records"]["people"]


def test_suggestions_json_is_inert_too(vault_path: Path) -> None:
    """``--json`` writes the persons' names (the owner's own) with their escapes as ``\\u``."""
    _stock(vault_path)
    assert raw_controls(ok("suggestions", "--json").encode()) == []
    people = json.loads(ok("person", "list", "--json"))
    assert raw_controls(ok("person", "list", "--json").encode()) == []
    assert sorted(p["name"] for p in people) == sorted(
        f"{t} {n}" for n, t in enumerate(CORPUS.values()))


def test_the_calendar_is_inert(vault_path: Path, tmp_path: Path) -> None:
    _stock(vault_path)
    for names in ((), ("--no-names",)):
        out = tmp_path / f"calendar{len(names)}.ics"
        ok("export", "--format", "ics", *names, "-o", str(out))
        data = cat(out)
        assert raw_controls(data) == [] and data.count(b"BEGIN:VEVENT") == len(CORPUS)


def test_the_vdir_is_inert(vault_path: Path, tmp_path: Path) -> None:
    _stock(vault_path)
    folder = tmp_path / "cards"
    ok("export", "--format", "vdir", str(folder))
    cards = sorted(folder.glob("*.vcf"))
    assert len(cards) == len(CORPUS)
    for card in cards:
        assert raw_controls(cat(card)) == [], card.name
