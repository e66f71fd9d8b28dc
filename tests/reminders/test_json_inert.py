"""``remind --json`` writes names as stored, with no control, bidi or zero-width character raw
(#16 §5): each is a ``\\u`` escape, so a program reading the JSON gets the name exactly and a
terminal showing it is not driven by it. ``-p`` shows them as spaces, one row a line."""

from __future__ import annotations

import json

from profilekeeper.model import Occasion, Person
from tests.conftest import PASSPHRASE, run_main
from tests.escape_corpus import CONTROL, CORPUS, raw_controls

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}


def test_names_from_the_corpus(vault, fast_kdf) -> None:  # type: ignore[no-untyped-def]
    names = {}
    for n, text in enumerate(CORPUS.values()):
        person = vault.add(Person(f"{text} {n}"))
        vault.add(Occasion("birthday", 5, 3, person_id=person.id))
        names[person.id] = person.name
    vault.close()
    result = run_main("remind", "--today", "2026-05-01", "--json", env=UNLOCK)
    assert result.code == 1, result.err
    assert raw_controls(result.out.encode()) == []
    due = json.loads(result.out)["due"]
    assert {d["person_id"]: d["person_name"] for d in due} == names
    lines = run_main("remind", "--today", "2026-05-01", "-p", env=UNLOCK).out.splitlines()
    assert len(lines) == len(CORPUS)
    assert not any(CONTROL.search(line.replace("\t", "")) for line in lines)
