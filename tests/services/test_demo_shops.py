"""`make demo`'s two shops: the loop shown with no setup (#15 §8)."""

from __future__ import annotations

from pathlib import Path

from profilekeeper import demo
from profilekeeper.model import Activity, Grant, Outcome, ShareRecord, Suggestion
from profilekeeper.services.shops import shops
from profilekeeper.store.vault import Vault
from tests.conftest import FAST_KDF


def _look(path: Path) -> tuple[list, list, list, list]:  # type: ignore[type-arg]
    with Vault.open(path) as vault:
        vault.unlock(demo.DEMO_PASSPHRASE)
        return (shops(vault), list(vault.list(Grant)), list(vault.list(Suggestion)),
                list(vault.list(ShareRecord)))  # fmt: skip


def test_the_demo_connects_one_shop_and_is_refused_by_the_other(tmp_path: Path) -> None:
    path = tmp_path / "demo-vault.sqlite3"
    demo.build_demo_vault(path, kdf=FAST_KDF)
    shops = demo.start_demo_shops(path)
    assert shops is not None
    try:
        connected, grants, suggestions, log = _look(path)
    finally:
        shops.stop()
    [shop] = connected
    assert shop.name == demo.DEMO_RETAILER_NAME and shop.link_id
    assert not shop.token_in_keyring  # the demo leaves the keyring alone
    assert {g.slice for g in grants} == {*demo.DEMO_GRANTS, "people"}
    assert len([g for g in grants if g.person_id]) == len(demo.DEMO_GIFTEES)
    assert suggestions, "the demo shop's suggestions are fetched before the app opens"
    shares = [r for r in log if r.action is Activity.SHARE]
    assert [r.outcome for r in shares] == [Outcome.OK] and shares[0].echo_matches
    [refused] = [r for r in log if r.shop_name == demo.STRICT_SHOP[1]]
    assert refused.action is Activity.CONNECT and refused.outcome is Outcome.REFUSED
    assert "730" in refused.reason and "90" in refused.reason


def test_a_second_start_keeps_the_link_and_follows_the_shop_to_its_new_port(
    tmp_path: Path,
) -> None:
    path = tmp_path / "demo-vault.sqlite3"
    demo.build_demo_vault(path, kdf=FAST_KDF)
    for _run in range(2):
        shops = demo.start_demo_shops(path)
        assert shops is not None
        url = shops.servers[0].base_url
        shops.stop()
    connected, _grants, _suggestions, log = _look(path)
    [shop] = connected
    assert shop.base_url == url
    assert [r.action for r in log].count(Activity.CONNECT) == 2  # one link, one refusal
    assert [r.outcome for r in log if r.action is Activity.SHARE] == [Outcome.OK, Outcome.OK]


def test_a_demo_shop_that_lost_its_database_is_linked_again(tmp_path: Path) -> None:
    path = tmp_path / "demo-vault.sqlite3"
    demo.build_demo_vault(path, kdf=FAST_KDF)
    shops = demo.start_demo_shops(path)
    assert shops is not None
    shops.stop()
    first = _look(path)[0][0]
    path.with_name(f"demo-{demo.DEMO_SHOP[0]}.sqlite3").unlink()
    shops = demo.start_demo_shops(path)
    assert shops is not None
    shops.stop()
    [again], grants, suggestions, log = _look(path)
    assert again.link_id != first.link_id
    assert all(g.retailer_id == again.id for g in grants) and suggestions
    assert [r.outcome for r in log if r.action is Activity.SHARE][-1] is Outcome.OK
