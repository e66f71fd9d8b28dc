"""Rules on how long data lives: forgetting is final, and retention is what was agreed.

Retention (a day at the least) cannot be waited out by a check that takes seconds, so it is
judged from what the server states: the terms a link is made on, and each profile's
``stored_at`` and ``expires_at``. A server that means to keep the slices longer than the
shorter of the receipt's and the link's retention says so there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from pydantic import ValidationError

from profilekeeper.sync.conformance._harness import (
    LONGEST_RETENTION,
    Failed,
    Server,
    expect,
    expect_refusal,
    first_error,
)
from profilekeeper.sync.protocol import ProfileView

ROUNDING = timedelta(seconds=2)
"""Slack for servers that store times in whole seconds."""
CLOCK_SKEW = timedelta(hours=1)
"""How far the server's clock may be from the checker's before an expiry counts as too late."""


def rule_forget_is_final(server: Server) -> str:
    link_id, token = server.link()
    slices = server.sample_slices()
    expect(server.put_profile(link_id, token, slices).status_code == 200,
           "putting a profile failed")
    gone = server.request("DELETE", f"{server.base}/links/{link_id}", token)
    expect(gone.status_code in (200, 202, 204), f"DELETE answered {gone.status_code}")
    # Writing with the old token must not bring the link (or its data) back.
    writes = [("PUT profile", server.put_profile(link_id, token, slices))]
    if server.takes_feedback:
        writes.append(("POST feedback", server.request(
            "POST", f"{server.base}/links/{link_id}/feedback", token,
            json={"verdicts": [{"suggestion_id": "conformance-item", "verdict": "like"}]})))
    for label, response in writes:
        expect_refusal(response, (401, 404, 410),
                       f"after forget, {label} with the old token")
    for path in ("/profile", "/suggestions"):
        after = server.request("GET", f"{server.base}/links/{link_id}{path}", token)
        expect(after.status_code in (404, 410), f"after forget and writes with the old token, "
               f"GET {path} answered {after.status_code}, not 404/410")
    return "writes with the old token after DELETE are refused; the link stays gone"


def rule_retention(server: Server) -> str:
    offered = server.retention_days
    created = server.link_created()
    agreed = created.terms.retention_days
    expect(agreed <= offered, f"a link asking for at most {offered} days was made on terms "
           f"keeping data {agreed} days")
    if agreed > 1:
        _expect_shorter_retention_refused_or_met(server, agreed - 1)
    shorter = max(1, min(agreed - 1, 7))  # under the link's retention: the receipt decides
    held = _put_and_read(server, created.link_id, created.token, shorter)
    _expect_kept_at_most(held, shorter, f"a receipt of {shorter} days")
    said = f"receipt of {shorter} days kept at most {shorter}"
    if agreed < LONGEST_RETENTION:
        # A receipt asking more than the link's terms: the terms still bound the retention.
        longer = min(LONGEST_RETENTION, agreed + 30)
        response = server.put_profile(created.link_id, created.token,
                                      server.sample_slices(), longer)
        if response.status_code == 200:
            _expect_kept_at_most([("PUT", response)], agreed,
                                 f"a receipt of {longer} days on a link of {agreed}")
            said += f"; receipt of {longer} days kept at most the link's {agreed}"
        else:
            expect_refusal(response, (400, 422), f"a receipt of {longer} days on a link of "
                           f"{agreed}")
            said += f"; receipt of {longer} days refused"
    return said


def _expect_shorter_retention_refused_or_met(server: Server, days: int) -> None:
    """A shopper allowing ``days`` gets a refusal, or a link that keeps data no longer."""
    response = server.request("POST", f"{server.base}/links",
                              json=server.link_request(max_retention_days=days))
    if response.status_code != 201:
        expect_refusal(response, (409, 422), f"a link allowing {days} days of retention")
        return
    created = server.parse_link(response)
    server.remember(created)
    expect(created.terms.retention_days <= days, f"a link allowing at most {days} days was "
           f"made on terms keeping data {created.terms.retention_days} days")


def _put_and_read(server: Server, link_id: str, token: str, retention_days: int
                  ) -> list[tuple[str, httpx.Response]]:
    put = server.put_profile(link_id, token, server.sample_slices(), retention_days)
    expect(put.status_code == 200, f"putting a profile answered {put.status_code}")
    read = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    expect(read.status_code == 200, f"reading the profile answered {read.status_code}")
    return [("PUT", put), ("GET", read)]


def _expect_kept_at_most(answers: list[tuple[str, httpx.Response]], days: int, what: str
                         ) -> None:
    """Each profile answer says its slices go within ``days`` of being stored, and of now."""
    latest = datetime.now(UTC) + timedelta(days=days) + CLOCK_SKEW
    for label, answer in answers:
        try:
            view = ProfileView.model_validate(answer.json())
        except (ValueError, ValidationError) as error:
            raise Failed(f"{label} profile answer does not match ProfileView: "
                         f"{first_error(error)}") from None
        stored, expires = view.stored_at, view.expires_at
        if stored is None or expires is None:
            raise Failed(f"{label} profile holds slices but gives no stored_at and expires_at")
        expect(stored.tzinfo is not None and expires.tzinfo is not None,
               f"{label} profile gives stored_at or expires_at without a time zone")
        kept = expires - stored
        expect(kept <= timedelta(days=days) + ROUNDING,
               f"after {what}, {label} says the slices are kept "
               f"{kept / timedelta(days=1):.1f} days")
        expect(expires <= latest, f"after {what}, {label} says the slices expire "
               f"{(expires - datetime.now(UTC)) / timedelta(days=1):.1f} days from now")
