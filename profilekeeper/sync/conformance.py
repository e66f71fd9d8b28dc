"""The conformance checker: does a server at some URL speak sync protocol version 1?

``check_server(url)`` runs every rule in ``RULES`` against a live server and returns one
``RuleResult`` per rule; ``profilekeeper retailer check URL`` prints them. Each rule uses its
own link, made from the terms the server advertises, and forgets it afterwards. The checker
talks through httpx alone; it is not the shopper's client.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from pydantic import ValidationError

from profilekeeper.sync.protocol import (
    API_VERSION,
    BASE_PATH,
    DISCOVERY_PATH,
    MAX_PAGE_SIZE,
    MAX_REQUEST_BYTES,
    PROBLEM_CONTENT_TYPE,
    Discovery,
    LinkCreated,
    ProfileView,
    SuggestionPage,
    slice_accepted,
)

Outcome = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class RuleResult:
    rule: str
    outcome: Outcome
    detail: str


class _Failed(Exception):
    pass


class _Skipped(Exception):
    pass


def _expect(condition: bool, detail: str) -> None:
    if not condition:
        raise _Failed(detail)


_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def printable(text: str, limit: int = 160) -> str:
    """Server-provided text made safe to print: no control or escape characters, bounded."""
    return _PRINTABLE.sub("?", text)[:limit]


class _Server:
    """One server under test: discovery, links, and requests that wait out 429s."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._discovery: dict[str, Any] | None = None
        self._links: list[tuple[str, str]] = []

    @property
    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            response = self.request("GET", DISCOVERY_PATH)
            try:
                body = response.json()
            except ValueError:
                body = None
            if response.status_code != 200 or not isinstance(body, dict):
                raise _Failed(f"discovery answered {response.status_code}, not a JSON object")
            self._discovery = body
        return self._discovery

    @property
    def base(self) -> str:
        base = self.discovery.get("base_path", BASE_PATH)
        return base if isinstance(base, str) else BASE_PATH

    @property
    def terms(self) -> dict[str, Any]:
        terms = self.discovery.get("terms")
        if not isinstance(terms, dict):
            raise _Failed("discovery has no terms")
        return terms

    def required_terms(self) -> dict[str, Any]:
        """Exactly what the server offers: a conforming server must accept it."""
        terms = self.terms
        return {
            "max_retention_days": terms.get("retention_days", 0),
            "allowed_purposes": terms.get("purposes", []),
            "allow_resale": bool(terms.get("resale")),
            "allow_third_party_sharing": bool(terms.get("third_party_sharing")),
        }

    def request(self, method: str, path: str, token: str | None = None,
                headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        for _attempt in range(4):
            response = self.client.request(method, path, headers=headers, **kwargs)
            if response.status_code != 429:
                return response
            time.sleep(min(5.0, float(response.headers.get("retry-after", "1") or 1)))
        return response

    def link(self, gpc: bool = False) -> tuple[str, str]:
        """A new link on the server's own terms: (link id, token)."""
        response = self.request(
            "POST", f"{self.base}/links",
            json={"pseudonym": "conformance-" + secrets.token_hex(8),
                  "required_terms": self.required_terms()},
            headers={"Sec-GPC": "1"} if gpc else None,
        )
        _expect(response.status_code == 201,
                f"link creation on the server's own terms answered {response.status_code}")
        try:
            created = LinkCreated.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            raise _Failed(f"link creation answer does not match LinkCreated: {_first(error)}"
                          ) from None
        self.remember(created)
        return created.link_id, created.token

    def remember(self, created: LinkCreated) -> None:
        """Forget this link when the rule is done."""
        self._links.append((created.link_id, created.token))

    def sample_slices(self) -> dict[str, dict[str, Any]]:
        """A small profile using only slices the server accepts."""
        accepted = [str(name) for name in self.discovery.get("slices_accepted", [])]
        samples = {name: value for name, value in _SAMPLE_SLICES.items()
                   if slice_accepted(name, accepted)}
        if len(samples) < 2:
            raise _Skipped("the server accepts fewer than two of the sample slices")
        return samples

    def put_profile(self, link_id: str, token: str, slices: dict[str, Any]) -> httpx.Response:
        return self.request("PUT", f"{self.base}/links/{link_id}/profile", token,
                            json={"receipt": self.receipt(list(slices)), "slices": slices})

    def receipt(self, slices: list[str]) -> dict[str, Any]:
        return {
            "receipt_id": "receipt-" + secrets.token_hex(8),
            "slices": slices,
            "purpose": self.terms.get("purposes", ["recommendations"])[0],
            "retention_days": max(1, min(30, int(self.terms.get("retention_days", 30)))),
            "issued_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }

    def cleanup(self) -> None:
        for link_id, token in self._links:
            with contextlib.suppress(httpx.HTTPError):
                self.client.delete(f"{self.base}/links/{link_id}",
                                   headers={"Authorization": f"Bearer {token}"})
        self._links.clear()


_SAMPLE_SLICES: dict[str, dict[str, Any]] = {
    "greeting": {"first_name": "Robin"},
    "location.city": {"city": "Lisbon"},
    "interests.music": {"items": [{"name": "jazz", "sentiment": "love"},
                                  {"name": "folk", "sentiment": "like"}]},
    "interests.books": {"items": [{"name": "crime", "sentiment": "love"},
                                  {"name": "poetry", "sentiment": "dislike"}]},
    "interests.films": {"items": [{"name": "documentary", "sentiment": "like"}]},
}


def _first(error: Exception) -> str:
    if isinstance(error, ValidationError):
        item = error.errors()[0]
        return printable(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}")
    return printable(str(error))


def _is_problem(response: httpx.Response) -> str | None:
    """None if the response is a proper problem document, else what is wrong with it."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != PROBLEM_CONTENT_TYPE:
        return f"{response.status_code} came as {printable(media or 'no content type')!r}"
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} body is not JSON"
    if not isinstance(body, dict) or body.get("status") != response.status_code:
        return f"{response.status_code} problem lacks a matching status member"
    if not isinstance(body.get("title"), str):
        return f"{response.status_code} problem lacks a title"
    return None


# --- Rules ----------------------------------------------------------------------------------


def rule_discovery(server: _Server) -> str:
    try:
        discovery = Discovery.model_validate(server.discovery)
    except ValidationError as error:
        raise _Failed(f"discovery does not match the schema: {_first(error)}") from None
    _expect(API_VERSION in discovery.api_versions, f"api_versions lacks {API_VERSION!r}")
    return (f"{printable(discovery.retailer.name, 60)}: versions {discovery.api_versions}, "
            f"{len(discovery.slices_accepted)} slice families, retention "
            f"{discovery.terms.retention_days} days")


def rule_link_terms(server: _Server) -> str:
    server.link()
    impossible = {**server.required_terms(), "max_retention_days": 0, "allowed_purposes": []}
    response = server.request("POST", f"{server.base}/links", json={
        "pseudonym": "conformance-" + secrets.token_hex(8), "required_terms": impossible})
    _expect(response.status_code in (409, 422),
            f"terms it cannot meet were answered {response.status_code}, not 409/422")
    wrong = _is_problem(response)
    _expect(wrong is None, f"refusal is not problem+json: {wrong}")
    detail = response.json().get("detail") or response.json().get("unmet")
    _expect(bool(detail), "refusal gives no reason (detail)")
    return "accepts its own terms, refuses stricter ones with a reason"


def _data_routes(server: _Server, link_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"{server.base}/links/{link_id}"
    slices = server.sample_slices()
    return [
        ("GET", f"{base}/profile", {}),
        ("PUT", f"{base}/profile", {"json": {"receipt": server.receipt(list(slices)),
                                             "slices": slices}}),
        ("GET", f"{base}/suggestions", {}),
        ("POST", f"{base}/feedback",
         {"json": {"verdicts": [{"suggestion_id": "x", "verdict": "like"}]}}),
        ("DELETE", base, {}),
    ]


def rule_auth_required(server: _Server) -> str:
    link_id, token = server.link()
    _other_id, other_token = server.link()
    for method, path, kwargs in _data_routes(server, link_id):
        for label, bearer in (("no token", None), ("another link's token", other_token),
                              ("a made-up token", secrets.token_urlsafe(32))):
            response = server.request(method, path, bearer, **kwargs)
            _expect(response.status_code in (401, 403),
                    f"{method} {path.replace(link_id, '{id}')} with {label} answered "
                    f"{response.status_code}, not 401/403")
    still = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    _expect(still.status_code == 200, "the link did not survive unauthenticated requests")
    return "every data route refuses a missing, foreign or made-up token"


def rule_full_replacement(server: _Server) -> str:
    link_id, token = server.link()
    slices = server.sample_slices()
    first = server.put_profile(link_id, token, slices)
    _expect(first.status_code == 200, f"putting a profile answered {first.status_code}")
    kept = dict(list(slices.items())[:1])
    second = server.put_profile(link_id, token, kept)
    _expect(second.status_code == 200, f"putting a smaller profile answered {second.status_code}")
    held = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    _expect(held.status_code == 200, f"reading the profile answered {held.status_code}")
    names = set(held.json().get("slices", {}))
    _expect(names == set(kept), f"after replacement the server holds {sorted(names)}, "
            f"expected only {sorted(kept)}")
    return f"omitted slices deleted ({len(slices)} → {len(kept)})"


def rule_consent_receipt(server: _Server) -> str:
    link_id, token = server.link()
    slices = server.sample_slices()
    receipt = server.receipt(list(slices))
    response = server.request("PUT", f"{server.base}/links/{link_id}/profile", token,
                              json={"receipt": receipt, "slices": slices})
    _expect(response.status_code == 200, f"putting a profile answered {response.status_code}")
    held = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    for label, answer in (("PUT", response), ("GET", held)):
        try:
            view = ProfileView.model_validate(answer.json())
        except (ValueError, ValidationError) as error:
            raise _Failed(f"{label} profile answer does not match ProfileView: {_first(error)}"
                          ) from None
        echoed = view.receipt.model_dump(mode="json") if view.receipt else None
        sent = type(view.receipt).model_validate(receipt).model_dump(mode="json") \
            if view.receipt else receipt
        _expect(echoed == sent, f"{label} does not echo the consent receipt unchanged")
    return "receipt stored and echoed unchanged"


def rule_paging(server: _Server) -> str:
    link_id, token = server.link()
    _expect(server.put_profile(link_id, token, server.sample_slices()).status_code == 200,
            "putting a profile failed")
    url = f"{server.base}/links/{link_id}/suggestions"
    page_max = int(server.discovery.get("limits", {}).get("max_page_size", MAX_PAGE_SIZE))
    over = server.request("GET", url, token, params={"limit": min(page_max, MAX_PAGE_SIZE) + 1})
    _expect(over.status_code in (400, 422),
            f"limit above the page maximum answered {over.status_code}, not 400/422")
    full = server.request("GET", url, token, params={"limit": page_max})
    _expect(full.status_code == 200, f"suggestions answered {full.status_code}")
    try:
        reference = [item.id for item in SuggestionPage.model_validate(full.json()).items]
    except (ValueError, ValidationError) as error:
        raise _Failed(f"page does not match SuggestionPage: {_first(error)}") from None
    _expect(len(reference) <= page_max, f"page of {len(reference)} items over {page_max}")
    if len(reference) < 4:
        raise _Skipped(f"only {len(reference)} suggestions: too few to test paging")
    walked: list[str] = []
    cursor: str | None = None
    pages = 0
    for pages in range(1, 11):  # noqa: B007 - the count is reported
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = server.request("GET", url, token, params=params)
        _expect(page.status_code == 200, f"a following page answered {page.status_code}")
        body = SuggestionPage.model_validate(page.json())
        _expect(len(body.items) <= 3, f"limit=3 gave {len(body.items)} items")
        walked.extend(item.id for item in body.items)
        cursor = body.next_cursor
        if cursor is None:
            break
    _expect(len(walked) == len(set(walked)), "the same suggestion came on two pages")
    _expect(walked == reference[:len(walked)],
            "pages of 3 do not add up to the same list as one large page")
    return f"{len(walked)} items over {pages} pages match one page of {page_max}"


def rule_size_limit(server: _Server) -> str:
    limit = int(server.discovery.get("limits", {}).get("max_request_bytes", MAX_REQUEST_BYTES))
    _expect(limit <= MAX_REQUEST_BYTES, f"states a request limit of {limit} bytes, over 256 KiB")
    link_id, token = server.link()
    padding = "x" * (MAX_REQUEST_BYTES + 1024)
    attempts = [
        ("PUT profile", "PUT", f"{server.base}/links/{link_id}/profile", token,
         {"receipt": server.receipt(["greeting"]),
          "slices": {"greeting": {"first_name": padding}}}),
        ("POST links", "POST", f"{server.base}/links", None,
         {"pseudonym": "conformance-big", "required_terms": server.required_terms(),
          "padding": padding}),
    ]
    for label, method, path, bearer, body in attempts:
        response = server.request(method, path, bearer, json=body)
        _expect(response.status_code == 413,
                f"{label} over 256 KiB answered {response.status_code}, not 413")
        wrong = _is_problem(response)
        _expect(wrong is None, f"413 is not problem+json: {wrong}")
    return "bodies over 256 KiB refused with 413"


def rule_problem_json(server: _Server) -> str:
    link_id, token = server.link()
    unknown = secrets.token_hex(16)
    cases = [
        ("no token", server.request("GET", f"{server.base}/links/{link_id}/profile")),
        ("unknown link", server.request("GET", f"{server.base}/links/{unknown}/profile", token)),
        ("malformed JSON", server.request(
            "PUT", f"{server.base}/links/{link_id}/profile", token, content=b"{not json",
            headers={"Content-Type": "application/json"})),
        ("invalid link request", server.request("POST", f"{server.base}/links",
                                                json={"pseudonym": 1})),
    ]
    for label, response in cases:
        _expect(400 <= response.status_code < 500,
                f"{label} answered {response.status_code}, not a 4xx")
        wrong = _is_problem(response)
        _expect(wrong is None, f"{label}: {wrong}")
    return f"{len(cases)} kinds of error all application/problem+json"


def rule_gpc(server: _Server) -> str:
    # The shopper accepts the server's own terms but sends Sec-GPC: 1, which is stronger.
    response = server.request(
        "POST", f"{server.base}/links", headers={"Sec-GPC": "1"},
        json={"pseudonym": "conformance-" + secrets.token_hex(8),
              "required_terms": server.required_terms()},
    )
    if response.status_code in (409, 422):
        _expect(_is_problem(response) is None, "GPC refusal is not problem+json")
        return "refuses links under Sec-GPC: 1 rather than sell or share"
    _expect(response.status_code == 201, f"link under Sec-GPC: 1 answered {response.status_code}")
    created = LinkCreated.model_validate(response.json())
    server.remember(created)
    _expect(not created.terms.resale and not created.terms.third_party_sharing,
            "under Sec-GPC: 1 the link's terms still allow resale or sharing")
    return "Sec-GPC: 1 links carry no resale and no sharing"


def rule_forget_me(server: _Server) -> str:
    link_id, token = server.link()
    server.put_profile(link_id, token, server.sample_slices())
    gone = server.request("DELETE", f"{server.base}/links/{link_id}", token)
    _expect(gone.status_code in (200, 202, 204), f"DELETE answered {gone.status_code}")
    for method, path in (("GET", "/profile"), ("GET", "/suggestions"), ("DELETE", "")):
        after = server.request(method, f"{server.base}/links/{link_id}{path}", token)
        _expect(after.status_code in (404, 410),
                f"after forget, {method} {path or 'link'} answered {after.status_code}, "
                "not 404/410")
    return "after DELETE the link answers 404/410"


RULES: list[tuple[str, str, Callable[[_Server], str]]] = [
    ("discovery", "discovery document has the v1 shape", rule_discovery),
    ("link-terms", "links on offered terms; refuses stricter terms with a reason",
     rule_link_terms),
    ("auth-required", "every data route needs the link's bearer token", rule_auth_required),
    ("full-replacement", "a slice left out of a PUT is deleted", rule_full_replacement),
    ("consent-receipt", "the consent receipt is stored and echoed", rule_consent_receipt),
    ("paging", "cursor paging and the page-size limit", rule_paging),
    ("size-limit", "request bodies over 256 KiB refused", rule_size_limit),
    ("problem-json", "errors are application/problem+json", rule_problem_json),
    ("gpc", "Sec-GPC: 1 switches resale and sharing off", rule_gpc),
    ("forget-me", "after DELETE the link is gone", rule_forget_me),
]
"""(name, what it checks, rule): every rule the checker claims to check."""


def check_server(base_url: str, timeout: float = 10.0,
                 only: list[str] | None = None) -> list[RuleResult]:
    """Run the rules against the server at ``base_url``.

    Args:
        base_url: Where the server answers, e.g. ``https://shop.example``.
        timeout: Seconds for each request.
        only: Rule names to run; all when None.

    Returns:
        One result per rule run, in ``RULES`` order.
    """
    results = []
    with httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False) as client:
        server = _Server(client)
        for name, _what, rule in RULES:
            if only is not None and name not in only:
                continue
            try:
                results.append(RuleResult(name, "pass", rule(server)))
            except _Failed as failure:
                results.append(RuleResult(name, "fail", printable(str(failure), 300)))
            except _Skipped as skipped:
                results.append(RuleResult(name, "skip", printable(str(skipped), 300)))
            except httpx.HTTPError as error:
                results.append(RuleResult(name, "fail", f"HTTP error: {type(error).__name__}"))
            except (ValueError, ValidationError, KeyError, TypeError) as error:
                results.append(RuleResult(name, "fail", f"unexpected answer: {_first(error)}"))
            finally:
                server.cleanup()
    return results
