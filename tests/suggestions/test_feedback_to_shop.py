"""Verdicts go to a shop only where the shopper allowed it and the shop offers the route: the
reference server as a real uvicorn on 127.0.0.1, a real vault file, the activity log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_main

from profilekeeper.model import Activity, Outcome, Retailer, ShareRecord, Suggestion
from profilekeeper.services import suggestions as service
from profilekeeper.services.feedback import pending_verdicts
from profilekeeper.store.vault import Vault
from profilekeeper.sync.client import ShopClient
from profilekeeper.sync.protocol import RequiredTerms
from profilekeeper.sync.server import RetailerStore, RunningServer, make_engine, run_in_thread

ENV = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
pytestmark = pytest.mark.usefixtures("fast_kdf")
TERMS = RequiredTerms(max_retention_days=90, allowed_purposes=["recommendations", "gift_ideas",
                                                           "offers"])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[RunningServer, str]]:
    url = f"sqlite:///{tmp_path / 'retailer.sqlite3'}"
    with run_in_thread(url) as running:
        yield running, url


async def _link(base_url: str) -> Retailer:
    async with ShopClient(base_url) as client:
        discovery = await client.discover()
        created = await client.create_link("pseudonym-for-test", TERMS)
    return Retailer("Ref Shop", base_url, link_id=created.link_id, token=created.token,
                    discovery=discovery.model_dump(mode="json"))  # fmt: skip


@pytest.fixture
def linked(server: tuple[RunningServer, str], vault_path: Path) -> Iterator[Retailer]:
    assert run_main("init", env=ENV).code == 0
    shop = asyncio.run(_link(server[0].base_url))
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        vault.add(shop)
        vault.add(Suggestion(shop.id, "demo-1", "product", "Thing", creators=["Ada"]))
        vault.add(Suggestion(shop.id, "demo-2", "product", "Other", creators=["Bo"]))
    yield shop


def _records(vault_path: Path) -> list[ShareRecord]:
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        return list(vault.list(ShareRecord))


def _ids(vault_path: Path) -> dict[str, str]:
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        return {s.remote_id: s.id for s in vault.list(Suggestion)}


def test_nothing_goes_to_a_shop_by_default(linked: Retailer, vault_path: Path,
                                           server: tuple[RunningServer, str]) -> None:  # fmt: skip
    assert "feedback" in linked.discovery["features"] and not linked.feedback_allowed
    result = run_main("feedback", _ids(vault_path)["demo-1"], "like", env=ENV)
    assert result.code == 0 and "Sent" not in result.out
    assert _records(vault_path) == []
    assert RetailerStore(make_engine(server[1])).feedback(linked.link_id) == {}


def test_allowed_feedback_reaches_the_shop_and_is_logged(
    linked: Retailer, vault_path: Path, server: tuple[RunningServer, str]
) -> None:
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        linked.feedback_allowed = True
        vault.save(linked)
    ids = _ids(vault_path)
    result = run_main("feedback", ids["demo-1"], "never_creator", env=ENV)
    assert result.code == 0 and "Sent to Ref Shop." in result.out, result.err
    local = run_main("feedback", ids["demo-2"], "dismiss", env=ENV)  # local only: never sent
    assert local.code == 0 and "Sent" not in local.out
    assert RetailerStore(make_engine(server[1])).feedback(linked.link_id) == \
        {"demo-1": "never_creator"}  # fmt: skip
    (record,) = _records(vault_path)
    assert (record.action, record.outcome, record.shop_name) == \
        (Activity.FEEDBACK, Outcome.OK, "Ref Shop")  # fmt: skip
    assert record.reason == "1 verdict sent, 1 accepted"
    assert '"verdict":"never_creator"' in record.payload and "Ada" not in record.payload
    with Vault.open(vault_path) as vault:  # the next sync does not send it again
        vault.unlock(PASSPHRASE)
        assert pending_verdicts(vault, vault.get(Retailer, linked.id)) == []


def test_a_shop_that_is_down_is_recorded_not_fatal(linked: Retailer, vault_path: Path,
                                                   server: tuple[RunningServer, str]) -> None:
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        linked.feedback_allowed = True
        vault.save(linked)
        s = next(x for x in vault.list(Suggestion) if x.remote_id == "demo-1")
        done = service.judge(vault, s.id, "like")
        assert done.shop is not None
    server[0].stop()
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        said = service.send_now(vault, done.shop, done.changes.suggestion)
    assert said.startswith("Not sent to Ref Shop (the next sync tries again): ")
    (record,) = _records(vault_path)
    assert record.outcome is Outcome.UNREACHABLE
    with Vault.open(vault_path) as vault:
        vault.unlock(PASSPHRASE)
        assert [(v.suggestion_id, v.verdict) for v in pending_verdicts(vault, done.shop)] == \
            [("demo-1", "like")]  # fmt: skip
