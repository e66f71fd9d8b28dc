"""How old_path_vault.sqlite3 and old_path_expected.json were made: with the store as it was
before it ran on sqlite3 alone (SQLAlchemy Core, commit 2569592), run from that checkout:

    PYTHONPATH=OLD_CHECKOUT:OLD_CHECKOUT/tests python tests/store/data/make_old_path_vault.py DIR

Every record type, forty people, their occasions and eighty gifts, one envelope flipped, one copied
into another record, one sealed by hand with a blank name (opens, breaks the rules); then what
that store's ``list``, ``load``, ``get`` and date index answered, written beside the vault.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from conftest import FAST_KDF, PASSPHRASE, every_record

from profilekeeper.errors import CorruptedRecord
from profilekeeper.model import ENTITIES, Gift, Occasion, Person
from profilekeeper.store.codec import codec_for, dumps, record_aad
from profilekeeper.store.vault import Vault


def answers(vault: Vault) -> dict[str, object]:
    def failed(error: CorruptedRecord) -> list[str]:
        return [type(error).__name__, error.table, error.record_id]

    out: dict[str, object] = {}
    for cls in ENTITIES:
        codec = codec_for(cls)
        listing = vault.list(cls)
        out[codec.table] = {"records": [codec.to_plain(r) for r in listing],
                            "corrupted": [failed(c) for c in listing.corrupted]}
    people = [p.id for p in vault.list(Person)]
    loaded = vault.load(Gift, person_id=people[:5], occasion_id=[])
    out["load_gifts"] = {"person_id": people[:5], "ids": [g.id for g in loaded],
                         "corrupted": [failed(c) for c in loaded.corrupted]}
    index = vault.occasion_dates()
    assert index is not None
    out["occasion_dates"] = [list(d) for d in index.dates]
    return out


def main(folder: Path) -> None:
    path = folder / "old_path_vault.sqlite3"
    with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
        with vault.transaction():
            for record in every_record("old"):
                vault.save(record)
        people = [Person(f"Person {i}", notes="n" * (i % 7)) for i in range(40)]
        vault.add_all(people)
        vault.add_all(Occasion("birthday", 1 + i % 12, 1 + i % 28, person_id=p.id)
                      for i, p in enumerate(people))
        vault.add_all(Gift(f"Gift {i}", person_id=people[i % 40].id) for i in range(80))
        cipher = vault.cipher
    db = sqlite3.connect(path)
    with db:
        gifts = [r[0] for r in db.execute("SELECT id FROM gifts ORDER BY id LIMIT 2")]
        row = db.execute("SELECT sealed FROM gifts WHERE id = ?", (gifts[0],)).fetchone()
        sealed = bytearray(row[0])
        sealed[-1] ^= 1  # flipped
        db.execute("UPDATE gifts SET sealed = ? WHERE id = ?", (bytes(sealed), gifts[0]))
        a, b = [r[0] for r in db.execute("SELECT id FROM people ORDER BY id LIMIT 2")]
        db.execute("UPDATE people SET sealed = (SELECT sealed FROM people WHERE id = ?) "
                   "WHERE id = ?", (a, b))  # copied
        c = db.execute("SELECT id FROM people ORDER BY id LIMIT 1 OFFSET 5").fetchone()[0]
        blank = cipher.seal(dumps({"name": " ", "relationship": ""}), record_aad("people", c, ()))
        db.execute("UPDATE people SET sealed = ? WHERE id = ?", (blank, c))
    db.execute("VACUUM")
    db.close()
    with Vault.open(path) as vault:
        vault.unlock(PASSPHRASE)
        expected = answers(vault)
        vault.checkpoint()
    (folder / "old_path_expected.json").write_text(json.dumps(expected, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
