"""``retailer serve --forwarded-allow-ips``: behind a load balancer, X-Forwarded-For names the
client for the per-address limit on link creation, but only when it comes from a proxy named.

Link creation needs no token, so it is limited per client address (bursts of 300). Through a
trusted proxy two clients get a bucket each; from an address not named as a proxy the header is
a claim anyone can make, and every request counts against the sender's own address.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from tests.sync.conftest import OWN_TERMS
from tests.sync.serving import serving

BURST = 300
"""ServerSettings.link_creation_burst."""


def _create(client: httpx.Client, forwarded_for: str) -> int:
    return client.post("/v1/links", headers={"X-Forwarded-For": forwarded_for}, json={
        "pseudonym": "proxy-" + secrets.token_hex(6), "required_terms": OWN_TERMS}).status_code


def _created_until_refused(client: httpx.Client, forwarded_for: str) -> int:
    for n in range(BURST + 50):
        status = _create(client, forwarded_for)
        if status == 429:
            return n
        assert status == 201, status
    raise AssertionError("link creation was never limited")


def test_a_named_proxy_is_believed_and_each_client_has_its_own_limit(tmp_path: Path) -> None:
    with serving("--db", f"sqlite:///{tmp_path / 'shop.sqlite3'}",
                 "--forwarded-allow-ips", "127.0.0.1") as (url, _), \
            httpx.Client(base_url=url, timeout=10) as proxy:
        passed = _created_until_refused(proxy, "203.0.113.7")
        assert BURST <= passed < BURST + 5, passed
        assert _create(proxy, "203.0.113.7") == 429
        assert _create(proxy, "203.0.113.8") == 201  # another shopper behind the same proxy
        assert proxy.post("/v1/links", json={  # the proxy's own address: a bucket of its own
            "pseudonym": "proxy-self", "required_terms": OWN_TERMS}).status_code == 201


def test_a_sender_not_named_cannot_claim_other_addresses(tmp_path: Path) -> None:
    with serving("--db", f"sqlite:///{tmp_path / 'shop.sqlite3'}",
                 "--forwarded-allow-ips", "192.0.2.1") as (url, _), \
            httpx.Client(base_url=url, timeout=10) as sender:
        passed = _created_until_refused(sender, "203.0.113.7")
        assert BURST <= passed < BURST + 5, passed
        # A new claimed address is not a new bucket: all of it was 127.0.0.1's.
        assert _create(sender, "203.0.113.8") == 429
