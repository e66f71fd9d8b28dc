"""Plaintext canaries at CI scale: benchmarks/guarantee_canaries.py's session, in-process.

1,000 distinctive strings in every kind of record, a whole CLI session (edits, deletes,
passwd, rotate-key, backup and restore, a real ``retailer serve`` process linked, granted,
synced, suggestions with feedback sent back, forget), then every byte under the vault's
folder, in the session's private TMPDIR and on stderr is searched: none may be there. The
shop's database may hold exactly what was granted, and must hold some of it (the control).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

import pytest
from conftest import FAST_KDF, run_main

from tests.hardening.bench_scripts import benchmark_script

CI_CANARIES = 1000


canaries = benchmark_script("guarantee_canaries")


def _in_process(*argv: str, input: str | None = None,  # noqa: A002
                env: dict[str, str] | None = None) -> tuple[int, str, str]:  # fmt: skip
    result = run_main(*argv, input=input, env=env)
    return result.code, result.out, result.err


@pytest.mark.usefixtures("fast_kdf")
def test_no_canary_reaches_a_file_a_temp_file_or_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile looks at TMPDIR again
    outcome = canaries.run_all(tmp_path, CI_CANARIES, _in_process, dict(os.environ), FAST_KDF)
    summary = outcome.summary()
    assert summary["canaries"] == CI_CANARIES
    assert summary["where_found"] == {}
    assert summary["found"] == 0
    assert summary["files_scanned"] >= 3  # the vault, the backup, the vault kept by restore
    names = {p.name for p in (tmp_path / "vault").iterdir()}
    assert {"vault.sqlite3", "backup.pkb", "vault.sqlite3.before-restore"} <= names
    # Every kind of record held some.
    kinds = {kind.split(".")[-2] for kind in summary["kinds"]}
    assert {
        "profile",
        "person",
        "occasion",
        "interest",
        "gift",
        "purchase",
        "rule",
        "shop",
    } <= kinds
    # The shop: only what was granted, and some of it (else the search itself is broken).
    assert summary["at_shop_not_granted"] == []
    assert summary["at_shop"] == summary["granted"] >= 50  # every granted one did arrive
    assert summary["suggestions"] >= 2 and summary["feedback_sent"] == 2
    assert len(outcome.stdout_control) > 50  # `person list` prints names: the scan sees them


def test_the_search_finds_every_form_it_looks_for(tmp_path: Path) -> None:
    """The scanner's own control: a canary as UTF-8 (any case), UTF-16 either way round and
    at either alignment, JSON's escapes and base64 at every alignment."""
    [canary] = canaries.make_canaries(1)
    index = canary[len(canaries.MARKER) :][:5]
    forms = {
        "utf-8": canary.encode(),
        "upper": canary.upper().encode(),
        "utf-16-le": b"x" + canary.encode("utf-16-le"),
        "utf-16-be": canary.encode("utf-16-be"),
        "json": json.dumps(canary).encode(),  # \u03a9 escapes
    }
    for name, data in forms.items():
        assert index in canaries.find_in_bytes(b"\x00\xff" + data + b"\x00"), name
    for shift in range(3):
        data = base64.b64encode(bytes(shift) + canary.encode())
        assert "b64" in canaries.find_in_bytes(data), shift
    assert canaries.find_in_bytes(os.urandom(100_000)) == set()
    # And a file left in a scanned folder, however deep, is read and named.
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "leak.tmp").write_bytes(b"..." + canary.encode() + b"...")
    scan = canaries.Scan()
    scan.folder(tmp_path)
    assert scan.hits == {f"{tmp_path.name}/deep/er/leak.tmp": {index}} and scan.files == 1
