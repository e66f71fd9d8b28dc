"""Zero each 4 KiB page of a real vault in turn and count how three commands answer.

The experiment of issue #20 item 6: a vault of 300 people, 300 birthdays, 300 gifts and 100
interests (weak KDF, so each run is quick), one page zeroed per run, then ``person list``,
``remind`` and ``gift list`` in-process. Prints, per command, each kind of answer, how many
pages gave it and how many output lines survived.

    PYTHONPATH=. python tools/damage_sweep.py [WORKDIR]
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

PASSPHRASE = "correct horse battery"
PAGE = 4096
COMMANDS = {
    "person list": ["person", "list"],
    "remind": ["remind", "--days", "60", "--today", "2026-03-01"],
    "gift list": ["gift", "list"],
}


def build(path: Path) -> None:
    from profilekeeper.model import Gift, Interest, Occasion, Person
    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.vault import Vault

    rng = random.Random(1)
    with Vault.create(path, PASSPHRASE, kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1)) as v:
        people = [Person(name=f"Person {i}", notes="x" * rng.randint(0, 200)) for i in range(300)]
        v.add_all(people)
        v.add_all(
            Occasion(kind="birthday", month=rng.randint(1, 12), day=rng.randint(1, 28),
                     person_id=p.id)
            for p in people
        )  # fmt: skip
        v.add_all(
            Gift(title=f"Gift {i}", person_id=o.person_id, occasion_id=o.id, notes="y" * i)
            for i, o in enumerate(v.list(Occasion))
        )
        v.add_all(Interest(category="music", name=f"Band {i}", person_id=people[i].id)
                  for i in range(100))  # fmt: skip


def run(argv: list[str], path: Path) -> tuple[int, str, str]:
    from profilekeeper.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--vault", str(path)])
    return code, out.getvalue(), err.getvalue()


def kind_of(code: int, err: str, lines: int, whole: int) -> str:
    if "internal error" in err or "Traceback" in err:
        return "internal error"
    if code in (0, 1) and not err.strip():
        return f"ok ({code})" + ("" if lines == whole else ", rows missing silently")
    first = (err.strip().splitlines() or [""])[0]
    return f"exit {code}: {first.split(':', 2)[1].strip()[:60]}…"


def main(work: Path) -> None:
    os.environ["PROFILEKEEPER_PASSPHRASE"] = PASSPHRASE
    pristine = work / "pristine.sqlite3"
    if not pristine.exists():
        build(pristine)
    whole = {}
    for name, argv in COMMANDS.items():
        shutil.copy(pristine, work / "whole.sqlite3")
        whole[name] = run(argv, work / "whole.sqlite3")[1].count("\n")
    counts: dict[str, Counter[str]] = {name: Counter() for name in COMMANDS}
    shown: dict[str, defaultdict[str, list[int]]] = {n: defaultdict(list) for n in COMMANDS}
    pages = pristine.stat().st_size // PAGE
    for page in range(1, pages + 1):
        path = work / f"page{page}.sqlite3"
        shutil.copy(pristine, path)
        with open(path, "r+b") as handle:
            handle.seek((page - 1) * PAGE)
            handle.write(bytes(PAGE))
        for name, argv in COMMANDS.items():
            code, out, err = run(argv, path)
            kind = kind_of(code, err, out.count("\n"), whole[name])
            counts[name][kind] += 1
            shown[name][kind].append(out.count("\n"))
        for leftover in work.glob(f"page{page}.sqlite3*"):
            leftover.unlink()
    print(f"{pages} pages, one zeroed per run")
    for name, kinds in counts.items():
        print(name)
        for kind, n in kinds.most_common():
            lines = shown[name][kind]
            print(f"  {n:4d}  {kind}  (lines shown: mean {sum(lines) / n:.0f} of {whole[name]})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()))
