"""The store runs on ``sqlite3`` alone: creating, opening, unlocking, reading and writing a vault,
and its key changes and bulk paths, import neither SQLAlchemy nor SQLModel (~0.4-0.6 s each, more
than an everyday command's whole budget). The SQLModel tables stay the schema's description,
checked against what the migrations make (test_schema.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import PASSPHRASE

HEAVY = ("sqlalchemy", "sqlmodel")

_EVERYTHING = textwrap.dedent(
    """
    import json, sys
    from decimal import Decimal
    from pathlib import Path

    from profilekeeper.model import Gift, Occasion, Person
    from profilekeeper.store import transfer
    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.readonly import ReadOnlyVault
    from profilekeeper.store.vault import Vault

    folder, passphrase = Path(sys.argv[1]), sys.argv[2]
    kdf = KdfParams(memory_kib=1024, iterations=1, lanes=1)
    Vault.create(folder / "v.sqlite3", passphrase, kdf=kdf).close()
    done = {}
    with Vault.open(folder / "v.sqlite3") as vault:
        vault.unlock(passphrase)
        sam = vault.add(Person(name="Sam", budget=Decimal("30")))
        with vault.transaction():
            vault.add(Occasion("birthday", 3, 14, person_id=sam.id))
            vault.add_all(Gift(f"book {i}", person_id=sam.id) for i in range(20))
        vault.save(Person(name="Sam Lee", id=sam.id))
        vault.delete_where(Gift, person_id=sam.id)
        done["read"] = [p.name for p in vault.list(Person)] + [vault.get(Person, sam.id).name]
        done["counted"] = vault.count(Gift), len(vault.load(Occasion, person_id=[sam.id]))
        done["dates"] = len(vault.occasion_dates().dates)
        vault.change_passphrase(passphrase, "another one", kdf=kdf)
        vault.rotate_key("another one")
        exported = transfer.export_json(vault)
        done["imported"] = transfer.import_json(vault, exported, replace=True)["people"]
    with ReadOnlyVault(folder / "v.sqlite3") as readonly:
        readonly.unlock("another one")
        done["readonly"] = [p.name for p in readonly.list(Person)]
    done["heavy"] = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
    print(json.dumps(done))
    """
).replace("HEAVY", repr(HEAVY))


def test_the_store_does_everything_without_sqlalchemy_or_sqlmodel(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", _EVERYTHING, str(tmp_path), PASSPHRASE],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    done = json.loads(ran.stdout)
    # It did the work it claims to (so an empty module list means something)...
    assert done["read"] == ["Sam Lee", "Sam Lee"]
    assert done["counted"] == [0, 1] and done["dates"] == 1
    assert done["imported"] == 1 and done["readonly"] == ["Sam Lee"]
    # ...and neither library was imported on the way.
    assert done["heavy"] == []


def test_the_probe_sees_an_import_when_there_is_one(tmp_path: Path) -> None:
    """The check above can fail: the same probe with one ``import sqlmodel`` reports it."""
    probe = _EVERYTHING.replace("import json, sys", "import json, sys, sqlmodel", 1)
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path), PASSPHRASE],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "sqlmodel" in json.loads(ran.stdout)["heavy"]
