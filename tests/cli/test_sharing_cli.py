"""``shop``, ``share`` and ``sync`` as a script would use them, against the reference server as
a real uvicorn on 127.0.0.1 and a real vault file.

Most run ``main()`` in this process with the fast test KDF. The keyring ones run the commands
as real processes (keyring picks its backend once per process): under a real Secret Service
the shop's token goes to the keyring, and with no D-Bus at all it is kept in the vault.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import PASSPHRASE, run_cli, run_main
from sharing_shops import held_with, reference_shop

from profilekeeper.model import Retailer
from profilekeeper.store.vault import Vault
from profilekeeper.sync.server import RunningServer

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
SHOP_FAILED = 69

pytestmark = pytest.mark.usefixtures("fast_kdf")


def ok(*args: str) -> str:
    result = run_main(*args, env=ENV)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[RunningServer]:
    with reference_shop(tmp_path / "shop.sqlite3") as server:
        yield server


@pytest.fixture
def robin(vault_path: Path) -> Path:
    ok("init")
    ok("profile", "set", "--name", "Robin Doe", "--city", "Lisbon", "--opt-in")
    ok("person", "add", "Sam Lee", "--relationship", "friend", "--budget", "40",
       "--currency", "EUR")  # fmt: skip
    ok("interest", "add", "music", "Velvet Static", "--sentiment", "love")
    ok("interest", "add", "books", "crime", "--person", "Sam Lee", "--sentiment", "love")
    return vault_path


def retailers(path: Path) -> list[Retailer]:
    with Vault.open(path) as vault:
        vault.unlock(PASSPHRASE)
        return list(vault.list(Retailer))


def test_connect_grant_preview_sync_revoke_forget(robin: Path, shop: RunningServer) -> None:
    terms = ok("shop", "terms")
    assert "90 days" in terms and "Sec-GPC: 1" in terms and "resale" in terms.lower()

    added = ok("shop", "add", shop.base_url, "--name", "Demo")
    assert "Connected Demo" in added and "Nothing is shared yet" in added
    [listed] = json.loads(ok("shop", "list", "--json"))
    assert (listed["name"], listed["grants"], listed["status"]) == ("Demo", 0, "connected")
    assert json.loads(ok("share", "preview", "demo", "--json"))["slices"] == []

    ok("share", "grant", "Demo", "interests.music")
    ok("share", "grant", listed["id"], "people.Sam Lee", "--until", "2099-01-31")
    ok("share", "grant", "Demo", "people", "--person", "sam lee")  # the same grant, no end
    ok("share", "grant", "Demo", "location.city")
    preview = json.loads(ok("share", "preview", "Demo", "--json"))
    assert preview["slices"][:2] == ["interests.music", "location.city"]
    assert preview["slices"][2].startswith("people.") and "Sam" not in preview["payload"]
    text = ok("share", "preview", "Demo")
    assert json.loads(text.splitlines()[1])["slices"] == json.loads(preview["payload"])["slices"]

    synced = run_main("sync", env=ENV)
    assert synced.code == 0, synced.err + synced.out
    assert "Demo: share ok" in synced.out and "fetch ok" in synced.out
    assert synced.err == ""  # no terminal: no progress lines
    shares = [r for r in json.loads(ok("share", "log", "--json")) if r["action"] == "share"]
    assert shares[-1]["echo_matches"] is True and shares[-1]["receipt_status"] == "active"
    held = json.loads(ok("shop", "holds", "Demo", "--json"))
    assert held["slices"] == json.loads(shares[-1]["payload"])["slices"]
    assert "music" in ok("shop", "holds", "Demo")

    assert "with the next sync" in ok("shop", "feedback", "Demo", "on")
    shown = ok("shop", "show", "Demo")
    assert "Feedback:  your verdicts are sent" in shown
    assert "Keeps what you share at most 90 days" in shown
    granted = shown.split("Granted:")[1].split("Slices you can grant")[0]
    assert "people.Sam Lee  (until revoked)" in granted and "interests.music" in granted

    revoked = ok("share", "revoke", "Demo", "interests.music")
    assert "Revoked" in revoked
    held = json.loads(ok("shop", "holds", "Demo", "--json"))
    assert "interests.music" not in held["slices"] and "location.city" in held["slices"]

    link_id = retailers(robin)[0].link_id
    assert "forgot everything" in ok("shop", "forget", "Demo")
    assert "No shops yet" in ok("shop", "list")
    log = ok("share", "log")
    assert "Demo  forget ok" in log and "withdrawn" in log
    assert held_with(shop, link_id, "made-up-token").status_code in (401, 410)


def test_unknown_shops_slices_and_bad_values_fail_plainly(robin: Path,
                                                          shop: RunningServer) -> None:
    missing = run_main("share", "preview", "Nowhere", env=ENV)
    assert missing.code == 4 and "shop list" in missing.err
    ok("shop", "add", shop.base_url)
    for args, code in (
        (("share", "grant", "Demo Retailer", "interests.films"), 4),
        (("share", "grant", "Demo Retailer", "people.Nobody"), 4),
        (("share", "grant", "Demo Retailer", "greeting", "--until", "2001-01-01"), 2),
        (("share", "revoke", "Demo Retailer", "greeting"), 4),
        (("shop", "add", shop.base_url), 2),  # connected already
        (("shop", "add", "ftp://shop.example"), 2),
        (("shop", "terms", "--max-retention-days", "0"), 2),
    ):
        result = run_main(*args, env=ENV)
        assert result.code == code, (args, result.err)
        assert result.err.startswith("profilekeeper: ") and "Traceback" not in result.err


def test_opted_out_the_preview_says_the_greeting_is_all(robin: Path,
                                                         shop: RunningServer) -> None:
    ok("shop", "add", shop.base_url, "--name", "Demo")
    ok("share", "grant", "Demo", "greeting")
    ok("share", "grant", "Demo", "interests.music")
    ok("profile", "set", "--opt-out")
    shown = ok("share", "preview", "Demo")
    assert "every shop gets at most the greeting" in shown
    assert json.loads(shown.splitlines()[1])["slices"] == {"greeting": {"first_name": "Robin"}}
    assert "Withheld interests.music" in shown


def test_a_shop_asking_for_more_than_the_minimum_is_refused(robin: Path,
                                                             tmp_path: Path) -> None:
    ok("shop", "terms", "--max-retention-days", "30", "--allow", "recommendations", "offers")
    assert json.loads(ok("shop", "terms", "--json"))["allowed_purposes"] == [
        "recommendations", "offers"]
    with reference_shop(tmp_path / "greedy.sqlite3") as greedy:
        refused = run_main("shop", "add", greedy.base_url, env=ENV)
    assert refused.code == 2
    assert "retention of 90 days exceeds the 30 days allowed" in refused.err
    assert "purposes not allowed: gift_ideas" in refused.err
    [logged] = json.loads(ok("share", "log", "--json"))
    assert (logged["action"], logged["outcome"]) == ("connect", "refused")


def test_a_shop_that_is_down_exits_69_and_its_forget_is_retried(robin: Path,
                                                                tmp_path: Path) -> None:
    db = tmp_path / "flaky.sqlite3"
    with reference_shop(db) as flaky:
        ok("shop", "add", flaky.base_url, "--name", "Flaky")
        port = int(flaky.base_url.rsplit(":", 1)[1])
    ok("share", "grant", "Flaky", "greeting")
    down = run_main("sync", "--json", env=ENV)
    assert down.code == SHOP_FAILED
    [report] = json.loads(down.out)
    assert not report["ok"] and report["steps"][0]["outcome"] == "unreachable"

    forget = run_main("shop", "forget", "Flaky", env=ENV)
    assert forget.code == SHOP_FAILED and "asks it again" in forget.out
    assert "FORGET PENDING" in ok("shop", "list")
    with reference_shop(db, port=port):
        assert "Flaky: forget ok" in ok("sync", "Flaky")
    assert "No shops yet" in ok("shop", "list")


def test_sync_shows_progress_per_shop_on_a_terminal(robin: Path, shop: RunningServer) -> None:
    import os
    import pty
    import subprocess
    import sys

    # A real process links it too: the token goes where that process's keyring (if any) says.
    assert run_cli("shop", "add", shop.base_url, "--name", "Demo", env=ENV).code == 0
    ok("share", "grant", "Demo", "greeting")
    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "profilekeeper", "sync"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=follower, env={**os.environ, **ENV},
                          ) as proc:  # fmt: skip
        os.close(follower)
        out, _ = proc.communicate(timeout=60)
    shown = b""
    with contextlib.suppress(OSError):  # the terminal ends with the process
        while chunk := os.read(leader, 4096):
            shown += chunk
    os.close(leader)
    assert proc.returncode == 0, out
    assert "Demo: sharing" in shown.decode() and "Demo: fetching suggestions" in shown.decode()
    assert b"Demo: share ok" in out


def test_help_documents_the_shape(robin: Path) -> None:
    for args, words in (
        (("shop", "terms", "--help"), ("Sec-GPC: 1", "--allow", "--max-retention-days")),
        (("share", "revoke", "--help"), ("at once", str(SHOP_FAILED))),
        (("sync", "--help"), (str(SHOP_FAILED), "Progress")),
        (("share", "grant", "--help"), ("--until", "--person", "people.NAME")),
    ):
        shown = run_main(*args)
        assert shown.code == 0 and all(w in " ".join(shown.out.split()) for w in words), args


@pytest.fixture
def no_dbus(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return {"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": str(runtime)}


@pytest.mark.keyring
def test_the_token_lives_in_the_keyring(real_keyring: None, robin: Path,
                                        shop: RunningServer) -> None:
    from profilekeeper.store import keys

    added = run_cli("shop", "add", shop.base_url, env=ENV)
    assert added.code == 0, added.err
    [stored] = retailers(robin)
    assert stored.token_in_keyring and stored.token == ""
    with Vault.open(robin) as vault:
        vault_id = vault.vault_id
    assert keys.recall_token(vault_id, stored.id)
    assert run_cli("share", "grant", "Demo Retailer", "greeting", env=ENV).code == 0
    assert run_cli("sync", env=ENV).code == 0
    assert run_cli("shop", "forget", "Demo Retailer", env=ENV).code == 0
    assert keys.recall_token(vault_id, stored.id) is None


@pytest.mark.nokeyring
def test_with_no_keyring_the_token_is_kept_in_the_vault(no_dbus: dict[str, str], robin: Path,
                                                        shop: RunningServer) -> None:
    env = {**ENV, **no_dbus}
    added = run_cli("shop", "add", shop.base_url, env=env)
    assert added.code == 0, added.err
    assert "Its token is kept in the vault: no system keyring" in added.out
    [stored] = retailers(robin)
    assert not stored.token_in_keyring and stored.token
    assert run_cli("share", "grant", "Demo Retailer", "greeting", env=env).code == 0
    synced = run_cli("sync", env=env)
    assert synced.code == 0, synced.err
    assert run_cli("shop", "forget", "Demo Retailer", env=env).code == 0
    assert retailers(robin) == []


def test_the_loop_against_the_reference_server_as_a_real_process(robin: Path,
                                                                  tmp_path: Path) -> None:
    from profilekeeper.services.shops import shop_token
    from tests.sync.conftest import serve_process

    with serve_process(f"sqlite:///{tmp_path / 'shop-process.sqlite3'}") as url:
        ok("shop", "add", url, "--name", "Proc")
        ok("share", "grant", "Proc", "interests.music")
        ok("share", "grant", "Proc", "location.city")
        preview = json.loads(ok("share", "preview", "Proc", "--json"))
        ok("sync")
        [share] = [r for r in json.loads(ok("share", "log", "--json")) if r["action"] == "share"]
        held = json.loads(ok("shop", "holds", "Proc", "--json"))
        sent = json.loads(share["payload"])
        assert held["slices"] == sent["slices"] == json.loads(preview["payload"])["slices"]
        assert held["receipt"] == sent["receipt"]

        ok("share", "revoke", "Proc", "location.city")
        held = json.loads(ok("shop", "holds", "Proc", "--json"))
        assert list(held["slices"]) == ["interests.music"]

        [shop] = retailers(robin)
        with Vault.open(robin) as vault:
            vault.unlock(PASSPHRASE)
            token = shop_token(vault, shop)
        ok("shop", "forget", "Proc")
        assert held_with_url(url, shop.link_id, token).status_code == 410


def held_with_url(url: str, link_id: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/v1/links/{link_id}/profile",
                     headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip


def test_shop_add_look_shows_the_terms_and_links_nothing(robin: Path, tmp_path: Path) -> None:
    with reference_shop(tmp_path / "shop.sqlite3") as shop:
        looked = ok("shop", "add", shop.base_url, "--look")
        assert "Demo Retailer" in looked and "at most 90 days" in looked
        assert "It accepts: " in looked and "greeting" in looked
        assert "meets your minimum terms" in looked
        assert retailers(robin) == []
        with reference_shop(tmp_path / "greedy.sqlite3", retention_days=365) as greedy:
            below = run_main("shop", "add", greedy.base_url, "--look", env=ENV)
            refused = run_main("shop", "add", greedy.base_url, env=ENV)
    assert below.code == refused.code == 2, (below.err, refused.err)
    assert "falls below your minimum" in below.out
    assert "retention of 365 days exceeds the 90 days allowed" in below.out
    assert "365 days" in refused.err
    assert retailers(robin) == []
    assert "--look" in ok("shop", "add", "--help")
