"""Rules on what a server does with a request it must refuse: strict members, no echo.

Requests in protocol version 1 are strict: a member the protocol does not define is an error,
so a typo never silently drops what the shopper meant to send. And an error never repeats what
the client sent, since that may be a slice of somebody's profile: the checker sends a canary in
values, slice names, member names and query values, and looks for it in every error answer.
"""

from __future__ import annotations

import secrets
from typing import Any

from profilekeeper.sync.conformance._harness import Server, expect, expect_refusal
from profilekeeper.sync.protocol import MAX_PAGE_SIZE

Attempt = tuple[str, str, str, str | None, dict[str, Any]]
"""What it is, method, path, bearer token, keyword arguments for the request."""


def rule_unknown_members(server: Server) -> str:
    link_id, token = server.link()
    slices = server.sample_slices()
    receipt = server.receipt(list(slices))
    profile = {"receipt": receipt, "slices": slices}
    name, value = next(iter(slices.items()))
    link = server.link_request()
    verdict = {"suggestion_id": "conformance-item", "verdict": "like"}
    put, links = f"{server.base}/links/{link_id}/profile", f"{server.base}/links"
    attempts: list[Attempt] = [
        ("a profile", "PUT", put, token, {"json": {**profile, "surprise": 1}}),
        ("a slice", "PUT", put, token, {"json": {
            **profile, "slices": {**slices, name: {**value, "surprise": 1}}}}),
        ("a receipt", "PUT", put, token, {"json": {
            **profile, "receipt": {**receipt, "surprise": 1}}}),
        ("a link request", "POST", links, None, {"json": {**link, "surprise": 1}}),
        ("required terms", "POST", links, None, {"json": {
            **link, "required_terms": {**link["required_terms"], "surprise": 1}}}),
    ]
    if server.takes_feedback:
        feedback = f"{server.base}/links/{link_id}/feedback"
        attempts += [
            ("feedback", "POST", feedback, token, {"json": {"verdicts": [verdict],
                                                            "surprise": 1}}),
            ("a verdict", "POST", feedback, token, {"json": {"verdicts": [
                {**verdict, "surprise": 1}]}}),
        ]
    for what, method, path, bearer, kwargs in attempts:
        response = server.request(method, path, bearer, **kwargs)
        server.remember_if_created(response)
        expect_refusal(response, (400, 422), f"{what} with an unknown member")
    held = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    expect(held.status_code == 200, f"reading the profile answered {held.status_code}")
    kept = held.json().get("slices")
    expect(not kept, "a refused profile with an unknown member was stored all the same")
    return f"{len(attempts)} requests with an unknown member refused with 400/422"


def rule_no_echo(server: Server) -> str:
    canary = "zq" + secrets.token_hex(8)  # lower case letters and digits: survives any escaping
    link_id, token = server.link()
    answers = 0
    for what, method, path, bearer, kwargs in _canary_attempts(server, link_id, token, canary):
        response = server.request(method, path, bearer, **kwargs)
        server.remember_if_created(response)
        if response.status_code < 400:
            continue  # accepting an invalid request is for other rules to judge
        answers += 1
        said = " ".join([response.text, *(f"{k}: {v}" for k, v in response.headers.items())])
        expect(canary not in said.lower(),
               f"the {response.status_code} answer to {what} repeats what was sent")
    expect(answers > 0, "no request with an invalid value was refused")
    return f"{answers} error answers repeat nothing the client sent"


def _canary_attempts(server: Server, link_id: str, token: str, canary: str) -> list[Attempt]:
    """Requests that must be refused, each carrying ``canary`` where the error might echo it."""
    profile = f"{server.base}/links/{link_id}/profile"
    suggestions = f"{server.base}/links/{link_id}/suggestions"

    def put(slices: dict[str, Any], **receipt: Any) -> dict[str, Any]:
        return {"json": {"receipt": {**server.receipt(list(slices)), **receipt},
                         "slices": slices}}

    sample = server.sample_slices()
    attempts: list[Attempt] = [
        ("a bad slice name", "PUT", profile, token, put({canary: {"first_name": "Robin"}})),
        ("a too long first name", "PUT", profile, token,
         put({"greeting": {"first_name": canary * 5}})),
        ("a bad sentiment", "PUT", profile, token,
         put({"interests.music": {"items": [{"name": canary, "sentiment": canary}]}})),
        ("slice contents of the wrong type", "PUT", profile, token,
         put({f"interests.{canary}": {"items": canary}})),
        ("a bad receipt time", "PUT", profile, token, put(sample, issued_at=canary)),
        ("an unknown member", "PUT", profile, token,
         {"json": {**put(sample)["json"], canary: canary}}),
        ("a bad pseudonym", "POST", f"{server.base}/links", None, {"json": {
            **server.link_request(allowed_purposes=[canary.upper()]),
            "pseudonym": canary + "!"}}),
        ("a bad limit", "GET", suggestions, token, {"params": {"limit": canary}}),
        ("a bad kind", "GET", suggestions, token, {"params": {"kind": canary}}),
        ("a bad cursor", "GET", suggestions, token, {"params": {"cursor": canary}}),
        ("an unknown query parameter", "GET", suggestions, token,
         {"params": {"limit": MAX_PAGE_SIZE + 1, canary: canary}}),
        ("a bad link id", "GET", f"{server.base}/links/{canary}/profile", token, {}),
    ]
    if server.takes_feedback:
        attempts.append(("a bad verdict", "POST", f"{server.base}/links/{link_id}/feedback",
                         token, {"json": {"verdicts": [{"suggestion_id": canary,
                                                        "verdict": canary}]}}))
    return attempts
