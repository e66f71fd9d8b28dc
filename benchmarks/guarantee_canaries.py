"""Plaintext canaries (#18 §2): no user-entered string reaches a file, a temp file or stderr.

N distinctive strings (``ΩcanaryΩ00042a1b2c3``) go into every kind of record — the profile,
people (names, relationships, notes, sizes, contact ids), occasions, interests (the owner's and
other people's), gifts, purchases, rules, a shop's name — most through the store, the rest
through the CLI. Then a whole session runs through the CLI: edits, deletes, ``passwd``,
``rotate-key``, ``backup`` and ``restore --replace``, a real ``retailer serve`` process linked
with ``shop add``, grants, ``sync``, suggestions and feedback sent back, ``shop forget``.

Afterwards every byte of every file under the vault's folder (the vault, its -wal/-shm/-journal,
the backup, the vault kept by restore), of the session's private TMPDIR and of everything the
commands printed to stderr is searched for every canary, as UTF-8 (any case), UTF-16 (both byte
orders, both alignments), JSON's \\u escapes and base64 (three alignments). The shop may hold
what was granted (the owner's music and one person's interests and relationship): its
database is searched too, and must hold only those, and at least one of them (the control).

    .venv/bin/python benchmarks/guarantee_canaries.py [--canaries 1000] [--in-process]

Real processes by default (the real Argon2 after ``passwd``); results go to
benchmarks/results/guarantee_canaries.json. tests/hardening/test_canaries.py runs the same
session in-process at CI scale.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _results, when a test imports this
from _results import summary_row, write_results  # noqa: E402

MARKER = "ΩcanaryΩ"
PASSPHRASE = "canary session passphrase"
NEW_PASSPHRASE = "canary session passphrase, changed"
Run = Callable[..., tuple[int, str, str]]
"""``run(*argv, input=None, env=None) -> (exit status, stdout, stderr)``: one CLI command."""


def make_canaries(n: int) -> list[str]:
    return [f"{MARKER}{i:05d}{secrets.token_hex(3)}" for i in range(n)]


_FOUND = re.compile(f"{MARKER}(\\d{{5}})[0-9a-f]{{6}}", re.IGNORECASE)
_ESCAPED = re.compile(
    rb"\\u03a9canary\\u03a9(\d{5})[0-9a-f]{6}", re.IGNORECASE
)  # JSON with ensure_ascii


def _base64_cores() -> list[bytes]:
    """The marker's base64 at each of the three alignments, without the partial edge groups."""
    raw, cores = MARKER.encode(), []
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + raw)
        start = 4 if shift else 0
        end = len(encoded) - (4 if (shift + len(raw)) % 3 else 0)
        cores.append(encoded[start:end])
    return cores


_BASE64 = _base64_cores()


def find_in_bytes(data: bytes) -> set[str]:
    """Canary indexes (as text) found in ``data`` in any of the forms; a base64 hit is "b64"."""
    found = {m.group(1) for m in _FOUND.finditer(data.decode("utf-8", "replace"))}
    for codec in ("utf-16-le", "utf-16-be"):
        for shift in (0, 1):
            text = data[shift:].decode(codec, "replace")
            found |= {m.group(1) for m in _FOUND.finditer(text)}
    found |= {m.group(1).decode() for m in _ESCAPED.finditer(data)}
    if any(core in data for core in _BASE64):
        found.add("b64")
    return found


@dataclass
class Scan:
    files: int = 0
    streams: int = 0
    bytes: int = 0
    hits: dict[str, set[str]] = field(default_factory=dict)
    """Where → the canary indexes found there."""

    def add(self, where: str, data: bytes, *, stream: bool = False) -> None:
        self.files += not stream
        self.streams += stream
        self.bytes += len(data)
        if found := find_in_bytes(data):
            self.hits[where] = found

    def folder(self, root: Path, when: str = "") -> None:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                self.add(f"{path.relative_to(root.parent)}{when}", path.read_bytes())

    @property
    def found(self) -> set[str]:
        return set().union(*self.hits.values()) if self.hits else set()


# -- the records ---------------------------------------------------------------------------


@dataclass
class Planted:
    """The canaries, where each went, and what the session may rely on."""

    canaries: list[str]
    kinds: dict[str, int] = field(default_factory=dict)
    granted: set[str] = field(default_factory=set)
    """Canary indexes a grant lets reach the shop."""
    granted_person: str = ""
    doomed_person: str = ""
    loved_music: str = ""
    rule_creator: str = ""
    next: int = 0

    def take(self, kind: str) -> str:
        canary = self.canaries[self.next]
        self.next += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return canary

    def index(self, canary: str) -> str:
        return canary[len(MARKER) : len(MARKER) + 5]


CLI_CANARIES = 16
"""How many canaries the session itself types in."""


def seed(vault_path: Path, canaries: list[str], kdf: Any, live: Scan) -> Planted:
    """A new vault at ``vault_path`` holding all but ``CLI_CANARIES`` canaries, every kind;
    its folder is scanned into ``live`` while it is still open (its -wal full)."""
    from profilekeeper import model as m
    from profilekeeper.store.vault import Vault

    planted = Planted(canaries)
    take, last, love = planted.take, len(canaries) - CLI_CANARIES, m.Sentiment.LOVE
    records: list[object] = [
        m.Profile(display_name=take("profile.display_name"), city=take("profile.city"),
                  opted_in=True, shipping={"address": take("profile.shipping")}),
        # Something the demo catalog knows, so the shop has suggestions to make.
        m.Interest(category="music", name="Velvet Static", sentiment=love),
    ]  # fmt: skip
    n = 0
    while planted.next < last - 17:  # 17 canaries a round
        person = m.Person(name=take("person.name"), relationship=take("person.relationship"),
                          notes=take("person.notes"), sizes={"shirt": take("person.sizes")},
                          contact_uid=take("person.contact_uid"), budget=Decimal("30"),
                          currency="EUR")  # fmt: skip
        occasion = m.Occasion(kind="birthday", month=1 + n % 12, day=1 + n % 28,
                              year=1980 + n % 30, person_id=person.id,
                              label=take("occasion.label"))  # fmt: skip
        theirs = m.Interest(category="books", name=take("interest.person"),
                            sentiment=m.Sentiment.LIKE, person_id=person.id)  # fmt: skip
        music = m.Interest(category="music", name=take("interest.music"), sentiment=love)
        films = m.Interest(category="films", name=take("interest.films"),
                           sentiment=m.Sentiment.DISLIKE)  # fmt: skip
        gift = m.Gift(title=take("gift.title"), person_id=person.id, occasion_id=occasion.id,
                      status=m.GiftStatus.BOUGHT, price=Decimal("12.50"), currency="EUR",
                      retailer=take("gift.retailer"), notes=take("gift.notes"),
                      on=date(2026, 1, 2))  # fmt: skip
        purchase = m.Purchase(title=take("purchase.title"), on=date(2025, 12, 24),
                              retailer=take("purchase.retailer"),
                              category=take("purchase.category"))  # fmt: skip
        rule = m.Rule(action=m.RuleAction.HIDE, match={"creator": take("rule.match")},
                      note=take("rule.note"))  # fmt: skip
        if n == 0:  # the person granted to the shop: relationship and interests are sent
            planted.granted_person = person.name
            planted.granted |= {planted.index(person.relationship), planted.index(theirs.name)}
            planted.loved_music, planted.rule_creator = music.name, rule.match["creator"]
        elif n == 1:
            planted.doomed_person = person.name
        planted.granted.add(planted.index(music.name))
        records += [person, occasion, theirs, music, films, gift, purchase, rule]
        n += 1
    while planted.next < last:  # the remainder: more of the owner's own purchases
        records.append(m.Purchase(title=take("purchase.title"), on=date(2025, 11, 1)))
    with Vault.create(vault_path, PASSPHRASE, kdf=kdf) as vault:
        with vault.transaction():
            for record in records:
                vault.save(record)
        live.folder(vault_path.parent, " (open, after seeding)")
    return planted


# -- the session ---------------------------------------------------------------------------


@dataclass
class Session:
    run: Run
    vault: Path
    planted: Planted
    stderr: list[str] = field(default_factory=list)
    passphrase: str = PASSPHRASE
    done: dict[str, int] = field(default_factory=dict)
    """What the session did that the checks rely on (suggestions, feedback sent)."""

    def __call__(self, *argv: str, input: str | None = None, ok: tuple[int, ...] = (0,)) -> str:  # noqa: A002
        code, out, err = self.run("--vault", str(self.vault), *argv, input=input,
                                  env={"PROFILEKEEPER_PASSPHRASE": self.passphrase})  # fmt: skip
        self.stderr.append(err)
        if code not in ok:
            raise AssertionError(f"{argv[:2]} exited {code}: {err[-500:]}")
        return out


def session(run: Run, vault: Path, planted: Planted, shop_url: str,
            shop_files: Callable[[], Scan]) -> tuple[Session, Scan]:  # fmt: skip
    """Every kind of command, with the rest of the canaries typed in; returns the session and
    a scan of the shop's database taken before it was asked to forget."""
    s = Session(run, vault, planted)
    take = planted.take
    # Records typed in, and edits.
    s("profile", "set", "--city", take("cli.profile.city"), "--name", take("cli.profile.name"))
    who = take("cli.person.name")
    s("person", "add", who, "--relationship", take("cli.person.relationship"),
      "--birthday", "1991-04-05", "--budget", "25")  # fmt: skip
    s("occasion", "add", who, "anniversary", "2015-06-01", "--label", take("cli.occasion.label"))
    s("interest", "add", "books", take("cli.interest.person"), "--person", who)
    music = take("cli.interest.music")
    planted.granted.add(planted.index(music))
    s("interest", "add", "music", music, "--sentiment", "like")
    received = take("cli.gift.title")
    s("gift", "add", who, received, "--retailer", take("cli.gift.retailer"),
      "--status", "received", "--date", "2026-01-05")  # fmt: skip
    s("purchase", "add", take("cli.purchase.title"), "--category", take("cli.purchase.category"),
      "--retailer", take("cli.purchase.retailer"), "--gift-for", who)  # fmt: skip
    s("rule", "add", "bury", f"creator={take('cli.rule.match')}", "--note", take("cli.rule.note"))
    s("interest", "add", "music", planted.loved_music, "--sentiment", "like")  # an edit
    s("rule", "add", "hide", f"creator={planted.rule_creator}", "--note", take("cli.rule.note"))
    s("person", "lead", who, "14,3")
    s("gift", "thanked", who, received)
    # Deletes.
    s("person", "remove", planted.doomed_person, "--delete-gifts")
    s("interest", "remove", "music", planted.loved_music)
    planted.granted.discard(planted.index(planted.loved_music))  # gone before any sync
    s("occasion", "remove", who, "anniversary")
    rules = json.loads(s("rule", "list", "--json"))
    s("rule", "remove", rules[0]["id"])
    # A shop: linked, granted, synced, suggestions and feedback.
    shop = take("cli.shop.name")
    s("shop", "add", shop_url, "--name", shop)
    s("share", "grant", shop, "interests.music")
    s("share", "grant", shop, "people", "--person", planted.granted_person)
    s("share", "preview", shop)
    s("sync", shop)
    suggestions = json.loads(s("suggestions", "--json"))
    s("shop", "feedback", shop, "on")
    s.done["suggestions"], s.done["feedback_sent"] = len(suggestions), 0
    for suggestion, verdict in zip(suggestions, ("like", "not_for_me"), strict=False):
        s.done["feedback_sent"] += "Sent to" in s("feedback", suggestion["id"], verdict)
    s("sync", shop)
    s("shop", "holds", shop)
    s("share", "log", shop)
    at_shop = shop_files()
    # The keys: passphrase, rotation; a backup, restored over the vault.
    s("passwd", "--passphrase-stdin", input=f"{PASSPHRASE}\n{NEW_PASSPHRASE}\n")
    s.passphrase = NEW_PASSPHRASE
    s("rotate-key")
    backup = vault.with_name("backup.pkb")
    s("backup", str(backup))
    s("restore", "--replace", str(backup))
    s("remind", "--days", "366", ok=(0, 1))
    s("shop", "forget", shop)
    s("person", "list")
    assert planted.next == len(planted.canaries), "every canary is planted"
    return s, at_shop


# -- running it ----------------------------------------------------------------------------


def subprocess_runner(base: dict[str, str]) -> Run:
    def run(*argv: str, input: str | None, env: dict[str, str]) -> tuple[int, str, str]:  # noqa: A002
        argv = (sys.executable, "-m", "profilekeeper", *argv)
        proc = subprocess.run(argv, input=input or "", capture_output=True, text=True,
                              env=base | env, timeout=300)  # fmt: skip
        return proc.returncode, proc.stdout, proc.stderr

    return run


@contextlib.contextmanager
def retailer_process(db: Path, env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """``retailer serve`` on 127.0.0.1 as a real process; its URL, and what it writes to
    stderr (collected as it comes)."""
    import httpx

    argv = [sys.executable, "-m", "profilekeeper", "retailer", "serve", "--port", "0", "--db",
            f"sqlite:///{db}"]  # fmt: skip
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        lines.append(first)
        url = first.rsplit(" ", 1)[-1].strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the retailer did not start")
        threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True).start()
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/.well-known/profilekeeper").status_code == 200:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the retailer did not answer")
            time.sleep(0.1)
        yield url, lines
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@dataclass
class Outcome:
    planted: Planted
    local: Scan
    shop: Scan
    stdout_control: set[str]
    done: dict[str, int]
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {
            "canaries": len(self.planted.canaries),
            "found": len(self.local.found),
            "files_scanned": self.local.files,
            "bytes_scanned": self.local.bytes,
            "stderr_streams": self.local.streams,
            "where_found": {k: sorted(v) for k, v in self.local.hits.items()},
            "kinds": dict(sorted(self.planted.kinds.items())),
            "granted": len(self.planted.granted),
            "at_shop": len(self.shop.found),
            "at_shop_not_granted": sorted(self.shop.found - self.planted.granted),
            **self.done,
            "seconds": round(self.seconds, 1),
        }


def run_all(workdir: Path, n: int, run: Run, env: dict[str, str], kdf: Any) -> Outcome:
    """Seed, run the session against a real retailer process, scan. ``env`` is the session's
    environment (TMPDIR among it), also the retailer's."""
    started = time.perf_counter()
    folder, shop_dir, tmp = workdir / "vault", workdir / "shop", Path(env["TMPDIR"])
    for d in (folder, shop_dir, tmp):
        d.mkdir(parents=True, exist_ok=True)
    vault = folder / "vault.sqlite3"
    local = Scan()
    planted = seed(vault, make_canaries(n), kdf, local)
    shop_db = shop_dir / "retailer.sqlite3"
    with retailer_process(shop_db, {**env, "TMPDIR": str(shop_dir)}) as (url, server_err):

        def at_shop() -> Scan:
            scan = Scan()
            scan.folder(shop_dir)
            return scan

        s, shop = session(run, vault, planted, url, at_shop)
        shop.add("retailer stderr", "".join(server_err).encode())
        control = find_in_bytes(s("person", "list").encode())  # the scan does find them
    local.folder(folder)
    local.folder(tmp)
    for i, err in enumerate(s.stderr):
        local.add(f"stderr of command {i + 1}", err.encode(), stream=True)
    return Outcome(planted, local, shop, control, s.done, time.perf_counter() - started)


def summarize(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, from a results file's figures."""
    command = data.get("command", "python benchmarks/guarantee_canaries.py")
    command = command.removeprefix(".venv/bin/")
    rows = []
    if "canaries" in data:
        rows.append(summary_row("canaries planted in every record kind, then a whole CLI session",
                                None, data["canaries"], "canaries", command))  # fmt: skip
    if "found" in data:
        rows.append(summary_row("canaries found in files, temp files or stderr", "0",
                                data["found"], "canaries", command))  # fmt: skip
    if "files_scanned" in data:
        streams = data.get("stderr_streams")
        streams = f", besides {streams} stderr streams" if streams is not None else ""
        rows.append(summary_row(f"files scanned in the vault folder and temp dir{streams}", None,
                                data["files_scanned"], "files", command))  # fmt: skip
    if "bytes_scanned" in data:
        rows.append(summary_row("bytes scanned (files and stderr)", None, data["bytes_scanned"],
                                "bytes", command))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--canaries", type=int, default=1000)
    args = parser.parse_args()
    from profilekeeper.store.crypto import KdfParams

    with tempfile.TemporaryDirectory(prefix="canaries-") as work:
        workdir = Path(work)
        home = workdir / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DBUS", "PROFILEKEEPER", "XDG"))}  # fmt: skip
        env |= {
            "HOME": str(home),
            "TMPDIR": str(workdir / "tmp"),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }  # this tree's code
        outcome = run_all(workdir, args.canaries, subprocess_runner(env), env, KdfParams())
    summary = outcome.summary()
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    names = ("canaries", "found", "files_scanned", "bytes_scanned", "stderr_streams", "granted",
             "at_shop", "suggestions", "feedback_sent", "seconds")  # fmt: skip
    keep = {k: summary[k] for k in names}
    keep["command"] = (
        f".venv/bin/python benchmarks/guarantee_canaries.py --canaries {args.canaries}"
    )
    write_results("guarantee_canaries", keep, summarize(keep))
    if summary["found"] or summary["at_shop_not_granted"] or not outcome.stdout_control:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
