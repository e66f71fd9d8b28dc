"""The reference server, as a real uvicorn on 127.0.0.1 driven by httpx."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from profilekeeper.sync import PROBLEM_CONTENT_TYPE, Discovery, SuggestionPage
from profilekeeper.sync.server import DEFAULT_TERMS, ServerSettings
from tests.sync.conftest import MUSIC_FAN, new_link, profile_body, serve, sqlite_store

DOCS = Path(__file__).resolve().parents[2] / "docs"


def is_problem(response: httpx.Response, status: int) -> bool:
    body = response.json()
    return (response.status_code == status
            and response.headers["content-type"].startswith(PROBLEM_CONTENT_TYPE)
            and body["status"] == status and body["title"])


def test_discovery_states_terms_and_limits(http: httpx.Client) -> None:
    discovery = Discovery.model_validate(http.get("/.well-known/profilekeeper").json())
    assert discovery.api_versions == ["1"]
    assert discovery.terms == DEFAULT_TERMS
    assert discovery.limits.max_request_bytes == 256 * 1024
    assert discovery.limits.max_page_size == 200
    assert "people.*" in discovery.slices_accepted
    assert http.get("/.well-known/gpc.json").json()["gpc"] is True


def test_the_whole_loop(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    body = profile_body(MUSIC_FAN)
    put = http.put(f"/v1/links/{link_id}/profile", json=body, headers=auth)
    assert put.status_code == 200
    assert put.json()["receipt"] == body["receipt"]
    assert set(put.json()["slices"]) == set(MUSIC_FAN)
    stored_at = datetime.fromisoformat(put.json()["stored_at"])
    expires_at = datetime.fromisoformat(put.json()["expires_at"])
    assert expires_at - stored_at == timedelta(days=30)  # the receipt's retention, under 90

    page = SuggestionPage.model_validate(
        http.get(f"/v1/links/{link_id}/suggestions", headers=auth).json())
    assert len(page.items) == 50 and page.next_cursor
    assert any(s.kind == "event" and s.city == "Lisbon" for s in page.items)
    top = page.items[0]
    feedback = http.post(f"/v1/links/{link_id}/feedback", headers=auth,
                         json={"verdicts": [{"suggestion_id": top.id, "verdict": "not_for_me"}]})
    assert feedback.status_code == 202 and feedback.json() == {"accepted": 1}
    again = http.get(f"/v1/links/{link_id}/suggestions", headers=auth).json()
    assert top.id not in [s["id"] for s in again["items"]]

    assert http.delete(f"/v1/links/{link_id}", headers=auth).status_code == 204
    for method, path in (("GET", "/profile"), ("GET", "/suggestions"), ("DELETE", "")):
        assert is_problem(http.request(method, f"/v1/links/{link_id}{path}", headers=auth), 410)


def test_put_is_full_replacement(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    http.put(f"/v1/links/{link_id}/profile", json=profile_body(MUSIC_FAN), headers=auth)
    smaller = {"greeting": MUSIC_FAN["greeting"]}
    http.put(f"/v1/links/{link_id}/profile", json=profile_body(smaller, "receipt-0002"),
             headers=auth)
    held = http.get(f"/v1/links/{link_id}/profile", headers=auth).json()
    assert held["slices"] == {"greeting": {"first_name": "Robin"}}
    assert held["receipt"]["receipt_id"] == "receipt-0002"


def test_puts_that_break_the_consent_rules_are_refused(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    url = f"/v1/links/{link_id}/profile"
    mismatch = profile_body(MUSIC_FAN)
    mismatch["receipt"]["slices"] = ["greeting"]
    assert is_problem(http.put(url, json=mismatch, headers=auth), 422)
    wrong_purpose = profile_body(MUSIC_FAN, purpose="analytics")
    assert is_problem(http.put(url, json=wrong_purpose, headers=auth), 422)
    assert http.get(url, headers=auth).json()["slices"] == {}


def test_cursor_paging_walks_the_list_once(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    http.put(f"/v1/links/{link_id}/profile", json=profile_body(MUSIC_FAN), headers=auth)
    url = f"/v1/links/{link_id}/suggestions"
    everything = http.get(url, params={"limit": 200}, headers=auth).json()["items"]
    walked, cursor = [], None
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = http.get(url, params=params, headers=auth).json()
        walked += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert walked[:len(everything)] == [s["id"] for s in everything]
    assert len(walked) == len(set(walked))
    assert is_problem(http.get(url, params={"limit": 201}, headers=auth), 422)
    assert is_problem(http.get(url, params={"cursor": "!!"}, headers=auth), 422)
    events = http.get(url, params={"kind": "event"}, headers=auth).json()["items"]
    assert events and {s["kind"] for s in events} == {"event"}


def test_a_cursor_goes_stale_when_the_profile_changes(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    url = f"/v1/links/{link_id}/suggestions"
    http.put(f"/v1/links/{link_id}/profile", json=profile_body(MUSIC_FAN), headers=auth)
    cursor = http.get(url, params={"limit": 5}, headers=auth).json()["next_cursor"]
    http.put(f"/v1/links/{link_id}/profile", json=profile_body({"greeting": {"first_name": "R"}},
                                                               "receipt-0002"), headers=auth)
    assert is_problem(http.get(url, params={"cursor": cursor}, headers=auth), 409)


def test_a_walk_crossing_the_hour_goes_on_over_the_same_list(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 23, 12, 59, 59, tzinfo=UTC)]
    settings = ServerSettings(clock=lambda: now[0])
    with serve(sqlite_store(tmp_path / "r.sqlite3"), settings) as server, \
            httpx.Client(base_url=server.base_url) as http:
        link_id, auth = new_link(http)
        url = f"/v1/links/{link_id}/suggestions"
        http.put(f"/v1/links/{link_id}/profile", json=profile_body(MUSIC_FAN), headers=auth)
        whole = [s["id"] for s in http.get(url, params={"limit": 200}, headers=auth
                                           ).json()["items"]]
        first = http.get(url, params={"limit": 5}, headers=auth).json()
        now[0] += timedelta(seconds=2)  # 13:00:01: a new hour
        second = http.get(url, params={"limit": 5, "cursor": first["next_cursor"]},
                          headers=auth)
        assert second.status_code == 200
        assert [s["id"] for s in first["items"] + second.json()["items"]] == whole[:10]
        now[0] += timedelta(days=1)  # a walk a day old is stale
        late = http.get(url, params={"limit": 5, "cursor": second.json()["next_cursor"]},
                        headers=auth)
        assert is_problem(late, 409)


def test_bodies_over_256_kib_are_refused_declared_or_streamed(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    url = f"/v1/links/{link_id}/profile"
    big = {"items": [{"title": f"Book {n:04d} " + "x" * 190, "category": "books"}
                     for n in range(1000)]}
    body = json.dumps(profile_body({"purchases": big})).encode()
    assert 200_000 < len(body) <= 256 * 1024
    assert http.put(url, content=body, headers={**auth, "Content-Type": "application/json"}
                    ).status_code == 200
    too_big = b" " * (256 * 1024 - len(body) + 1) + body
    assert is_problem(http.put(url, content=too_big, headers={
        **auth, "Content-Type": "application/json"}), 413)

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 8192

    streamed = http.put(url, content=chunks(), headers={**auth,
                                                        "Content-Type": "application/json"})
    assert "content-length" not in streamed.request.headers
    assert is_problem(streamed, 413)


def test_errors_are_problem_documents(http: httpx.Client) -> None:
    link_id, auth = new_link(http)
    assert is_problem(http.get(f"/v1/links/{link_id}/profile"), 401)
    assert http.get(f"/v1/links/{link_id}/profile").headers["www-authenticate"].startswith(
        "Bearer")
    assert is_problem(http.get(f"/v1/links/{'0' * 32}/profile", headers=auth), 404)
    assert is_problem(http.get("/no/such/route"), 404)
    assert is_problem(http.patch(f"/v1/links/{link_id}/profile", headers=auth), 405)
    invalid = http.put(f"/v1/links/{link_id}/profile", headers=auth,
                       json=profile_body({"greeting": {"first_name": "Robin Secretname" * 9}}))
    assert is_problem(invalid, 422)
    assert "Secretname" not in invalid.text  # values sent are never echoed in errors
    refused = http.post("/v1/links", json={"pseudonym": "abcdefgh", "required_terms": {
        "max_retention_days": 30, "allowed_purposes": ["recommendations"]}})
    assert is_problem(refused, 409)
    assert len(refused.json()["unmet"]) == 2


def test_sec_gpc_turns_resale_and_sharing_off(tmp_path: Path) -> None:
    selling = DEFAULT_TERMS.model_copy(update={"resale": True, "third_party_sharing": True})
    with serve(sqlite_store(tmp_path / "r.sqlite3"), ServerSettings(terms=selling)) as server, \
            httpx.Client(base_url=server.base_url) as http:
        lenient = {"max_retention_days": 90,
                   "allowed_purposes": ["recommendations", "gift_ideas", "offers"],
                   "allow_resale": True, "allow_third_party_sharing": True}
        plain = http.post("/v1/links", json={"pseudonym": "abcdefgh1", "required_terms": lenient})
        assert plain.json()["terms"]["resale"] is True and plain.json()["gpc"] is False
        strict = {**lenient, "allow_resale": False, "allow_third_party_sharing": False}
        assert http.post("/v1/links", json={"pseudonym": "abcdefgh2",
                                            "required_terms": strict}).status_code == 409
        gpc = http.post("/v1/links", headers={"Sec-GPC": "1"},
                        json={"pseudonym": "abcdefgh3", "required_terms": strict})
        assert gpc.status_code == 201
        assert gpc.json()["gpc"] is True
        assert gpc.json()["terms"]["resale"] is False
        assert gpc.json()["terms"]["third_party_sharing"] is False
        # A later request with the header switches an existing link over for good.
        auth = {"Authorization": f"Bearer {plain.json()['token']}"}
        http.get(f"/v1/links/{plain.json()['link_id']}/profile",
                 headers={**auth, "Sec-GPC": "1"})
    with sqlite3.connect(tmp_path / "r.sqlite3") as db:
        flags = dict(db.execute("SELECT pseudonym, gpc FROM retail_links"))
    assert flags == {"abcdefgh1": 1, "abcdefgh3": 1}


def test_tokens_are_stored_only_as_digests(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    with serve(sqlite_store(path)) as server, httpx.Client(base_url=server.base_url) as http:
        link_id, auth = new_link(http)
        token = auth["Authorization"].removeprefix("Bearer ")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert token.encode() not in raw
    with sqlite3.connect(path) as db:
        (stored,) = db.execute("SELECT token_hash FROM retail_links WHERE id = ?",
                               (link_id,)).fetchone()
    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_each_token_is_rate_limited_on_its_own(tmp_path: Path) -> None:
    with serve(sqlite_store(tmp_path / "r.sqlite3"), ServerSettings(requests_per_minute=6)
               ) as server, httpx.Client(base_url=server.base_url) as http:
        link_id, auth = new_link(http)
        codes = [http.get(f"/v1/links/{link_id}/profile", headers=auth).status_code
                 for _ in range(15)]
        assert codes[:10] == [200] * 10 and 429 in codes
        limited = http.get(f"/v1/links/{link_id}/profile", headers=auth)
        assert is_problem(limited, 429) and int(limited.headers["retry-after"]) >= 1
        other_id, other = new_link(http)
        assert http.get(f"/v1/links/{other_id}/profile", headers=other).status_code == 200


def test_expired_slices_are_purged(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 23, 12, tzinfo=UTC)]
    store = sqlite_store(tmp_path / "r.sqlite3")
    settings = ServerSettings(clock=lambda: now[0])
    with serve(store, settings) as server, httpx.Client(base_url=server.base_url) as http:
        link_id, auth = new_link(http)
        http.put(f"/v1/links/{link_id}/profile", headers=auth,
                 json=profile_body(MUSIC_FAN, retention_days=2))
        now[0] += timedelta(days=1)
        assert set(http.get(f"/v1/links/{link_id}/profile", headers=auth).json()["slices"]) \
            == set(MUSIC_FAN)
        now[0] += timedelta(days=1, seconds=1)
        assert store.purge_expired(now[0]) == len(MUSIC_FAN)
        held = http.get(f"/v1/links/{link_id}/profile", headers=auth).json()
        assert held["slices"] == {} and held["receipt"] is None
    assert store.count_rows()["retail_slices"] == 0


def test_forget_me_leaves_only_a_tombstone(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "r.sqlite3")
    with serve(store) as server, httpx.Client(base_url=server.base_url) as http:
        link_id, auth = new_link(http)
        http.put(f"/v1/links/{link_id}/profile", json=profile_body(MUSIC_FAN), headers=auth)
        http.post(f"/v1/links/{link_id}/feedback", headers=auth,
                  json={"verdicts": [{"suggestion_id": "bk-0001", "verdict": "like"}]})
        assert http.delete(f"/v1/links/{link_id}", headers=auth).status_code == 204
    assert store.count_rows() == {"retail_links": 0, "retail_forgotten_links": 1,
                                  "retail_slices": 0, "retail_receipts": 0,
                                  "retail_feedback": 0}


def test_the_served_openapi_is_the_checked_in_one(http: httpx.Client) -> None:
    served = http.get("/openapi.json").json()
    assert served["openapi"].startswith("3.1")
    assert served == json.loads((DOCS / "openapi.json").read_text())
    for path in served["paths"].values():
        for operation in path.values():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert list(response["content"]) == [PROBLEM_CONTENT_TYPE]


def test_link_creation_is_rate_limited_per_address(tmp_path: Path) -> None:
    settings = ServerSettings(link_creations_per_minute=1, link_creation_burst=5)
    with serve(sqlite_store(tmp_path / "r.sqlite3"), settings) as server, \
            httpx.Client(base_url=server.base_url) as http:
        for _ in range(5):
            new_link(http)
        refused = http.post("/v1/links", json={"pseudonym": "abcdefgh9", "required_terms": {
            "max_retention_days": 90, "allowed_purposes": ["recommendations"]}})
        assert is_problem(refused, 429) and int(refused.headers["retry-after"]) >= 1
