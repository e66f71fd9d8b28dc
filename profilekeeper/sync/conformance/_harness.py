"""What every rule stands on: the server under test, outcomes, and checks on problem documents.

Server text is untrusted: everything taken from an answer into a message goes through
``printable`` first, because the checker's output is printed to a terminal.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from pydantic import ValidationError

from profilekeeper.sync.protocol import (
    BASE_PATH,
    DISCOVERY_PATH,
    PROBLEM_CONTENT_TYPE,
    LinkCreated,
    slice_accepted,
)

Outcome = Literal["pass", "fail", "skip"]
LONGEST_RETENTION = 3650
"""The protocol's bound on any ``retention_days``."""


@dataclass(frozen=True)
class RuleResult:
    rule: str
    outcome: Outcome
    detail: str


class Failed(Exception):
    """The rule found a violation; the message says which, in the checker's own words."""


class Skipped(Exception):
    """The rule cannot be judged on this server (too few slices or suggestions, say)."""


def expect(condition: bool, detail: str) -> None:
    if not condition:
        raise Failed(detail)


_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def printable(text: str, limit: int = 160) -> str:
    """Server-provided text made safe to print: no control or escape characters, bounded."""
    return _PRINTABLE.sub("?", text)[:limit]


def first_error(error: Exception) -> str:
    """The first complaint of a validation error (or any error), printable."""
    if isinstance(error, ValidationError):
        item = error.errors()[0]
        return printable(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}")
    return printable(str(error))


def problem_fault(response: httpx.Response) -> str | None:
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


def expect_refusal(response: httpx.Response, statuses: tuple[int, ...], what: str) -> None:
    """``response`` is one of ``statuses``, as a problem document."""
    wanted = "/".join(str(status) for status in statuses)
    expect(response.status_code in statuses,
           f"{what} answered {response.status_code}, not {wanted}")
    fault = problem_fault(response)
    expect(fault is None, f"{what}: {fault}")


class Server:
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
                raise Failed(f"discovery answered {response.status_code}, not a JSON object")
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
            raise Failed("discovery has no terms")
        return terms

    @property
    def retention_days(self) -> int:
        days = self.terms.get("retention_days")
        if type(days) is not int or not 1 <= days <= LONGEST_RETENTION:
            raise Failed(f"discovery terms give no retention_days from 1 to {LONGEST_RETENTION}")
        return days

    @property
    def takes_feedback(self) -> bool:
        return "feedback" in (self.discovery.get("features") or [])

    def required_terms(self) -> dict[str, Any]:
        """Exactly what the server offers: a conforming server must accept it."""
        terms = self.terms
        return {
            "max_retention_days": terms.get("retention_days", 0),
            "allowed_purposes": terms.get("purposes", []),
            "allow_resale": bool(terms.get("resale")),
            "allow_third_party_sharing": bool(terms.get("third_party_sharing")),
        }

    def link_request(self, **required: Any) -> dict[str, Any]:
        """A link request on the server's own terms, with ``required`` changed."""
        return {"pseudonym": "conformance-" + secrets.token_hex(8),
                "required_terms": {**self.required_terms(), **required}}

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
        created = self.link_created(gpc)
        return created.link_id, created.token

    def link_created(self, gpc: bool = False) -> LinkCreated:
        """A new link on the server's own terms, as the server answered it."""
        response = self.request("POST", f"{self.base}/links", json=self.link_request(),
                                headers={"Sec-GPC": "1"} if gpc else None)
        expect(response.status_code == 201,
               f"link creation on the server's own terms answered {response.status_code}")
        created = self.parse_link(response)
        self.remember(created)
        return created

    @staticmethod
    def parse_link(response: httpx.Response) -> LinkCreated:
        try:
            return LinkCreated.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            raise Failed("link creation answer does not match LinkCreated: "
                         f"{first_error(error)}") from None

    def remember(self, created: LinkCreated) -> None:
        """Forget this link when the rule is done."""
        self._links.append((created.link_id, created.token))

    def remember_if_created(self, response: httpx.Response) -> None:
        """A link a rule meant to be refused was made anyway: forget it afterwards too."""
        if response.status_code == 201:
            with contextlib.suppress(Failed):
                self.remember(self.parse_link(response))

    def sample_slices(self) -> dict[str, dict[str, Any]]:
        """A small profile using only slices the server accepts."""
        accepted = [str(name) for name in self.discovery.get("slices_accepted", [])]
        samples = {name: value for name, value in _SAMPLE_SLICES.items()
                   if slice_accepted(name, accepted)}
        if len(samples) < 2:
            raise Skipped("the server accepts fewer than two of the sample slices")
        return samples

    def put_profile(self, link_id: str, token: str, slices: dict[str, Any],
                    retention_days: int | None = None) -> httpx.Response:
        return self.request("PUT", f"{self.base}/links/{link_id}/profile", token, json={
            "receipt": self.receipt(list(slices), retention_days), "slices": slices})

    def receipt(self, slices: list[str], retention_days: int | None = None) -> dict[str, Any]:
        if retention_days is None:
            retention_days = max(1, min(30, int(self.terms.get("retention_days", 30))))
        return {
            "receipt_id": "receipt-" + secrets.token_hex(8),
            "slices": slices,
            "purpose": self.terms.get("purposes", ["recommendations"])[0],
            "retention_days": retention_days,
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
"""On the demo catalog these yield about 150 suggestions: enough to page well past 30."""
