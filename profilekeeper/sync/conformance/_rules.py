"""The first ten rules: discovery, links and terms, auth, the profile, limits, errors, GPC, forget.

Each rule gets the server under test, uses links of its own, and returns one line saying what it
saw; it raises ``Failed`` or ``Skipped`` otherwise.
"""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import ValidationError

from profilekeeper.sync.conformance._harness import (
    Failed,
    Server,
    expect,
    first_error,
    printable,
    problem_fault,
)
from profilekeeper.sync.protocol import (
    API_VERSION,
    MAX_REQUEST_BYTES,
    Discovery,
    LinkCreated,
    ProfileView,
)


def rule_discovery(server: Server) -> str:
    try:
        discovery = Discovery.model_validate(server.discovery)
    except ValidationError as error:
        raise Failed(f"discovery does not match the schema: {first_error(error)}") from None
    expect(API_VERSION in discovery.api_versions, f"api_versions lacks {API_VERSION!r}")
    return (f"{printable(discovery.retailer.name, 60)}: versions {discovery.api_versions}, "
            f"{len(discovery.slices_accepted)} slice families, retention "
            f"{discovery.terms.retention_days} days")


def rule_link_terms(server: Server) -> str:
    server.link()
    impossible = server.link_request(max_retention_days=0, allowed_purposes=[])
    response = server.request("POST", f"{server.base}/links", json=impossible)
    expect(response.status_code in (409, 422),
           f"terms it cannot meet were answered {response.status_code}, not 409/422")
    wrong = problem_fault(response)
    expect(wrong is None, f"refusal is not problem+json: {wrong}")
    detail = response.json().get("detail") or response.json().get("unmet")
    expect(bool(detail), "refusal gives no reason (detail)")
    return "accepts its own terms, refuses stricter ones with a reason"


def _data_routes(server: Server, link_id: str) -> list[tuple[str, str, dict[str, Any]]]:
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


def rule_auth_required(server: Server) -> str:
    link_id, token = server.link()
    _other_id, other_token = server.link()
    for method, path, kwargs in _data_routes(server, link_id):
        for label, bearer in (("no token", None), ("another link's token", other_token),
                              ("a made-up token", secrets.token_urlsafe(32))):
            response = server.request(method, path, bearer, **kwargs)
            expect(response.status_code in (401, 403),
                   f"{method} {path.replace(link_id, '{id}')} with {label} answered "
                   f"{response.status_code}, not 401/403")
    still = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    expect(still.status_code == 200, "the link did not survive unauthenticated requests")
    return "every data route refuses a missing, foreign or made-up token"


def rule_full_replacement(server: Server) -> str:
    link_id, token = server.link()
    slices = server.sample_slices()
    first = server.put_profile(link_id, token, slices)
    expect(first.status_code == 200, f"putting a profile answered {first.status_code}")
    kept = dict(list(slices.items())[:1])
    second = server.put_profile(link_id, token, kept)
    expect(second.status_code == 200, f"putting a smaller profile answered {second.status_code}")
    held = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    expect(held.status_code == 200, f"reading the profile answered {held.status_code}")
    names = set(held.json().get("slices", {}))
    expect(names == set(kept), f"after replacement the server holds {sorted(names)}, "
           f"expected only {sorted(kept)}")
    return f"omitted slices deleted ({len(slices)} → {len(kept)})"


def rule_consent_receipt(server: Server) -> str:
    link_id, token = server.link()
    slices = server.sample_slices()
    receipt = server.receipt(list(slices))
    response = server.request("PUT", f"{server.base}/links/{link_id}/profile", token,
                              json={"receipt": receipt, "slices": slices})
    expect(response.status_code == 200, f"putting a profile answered {response.status_code}")
    held = server.request("GET", f"{server.base}/links/{link_id}/profile", token)
    for label, answer in (("PUT", response), ("GET", held)):
        try:
            view = ProfileView.model_validate(answer.json())
        except (ValueError, ValidationError) as error:
            raise Failed(f"{label} profile answer does not match ProfileView: {first_error(error)}"
                          ) from None
        echoed = view.receipt.model_dump(mode="json") if view.receipt else None
        sent = type(view.receipt).model_validate(receipt).model_dump(mode="json") \
            if view.receipt else receipt
        expect(echoed == sent, f"{label} does not echo the consent receipt unchanged")
    return "receipt stored and echoed unchanged"


def rule_size_limit(server: Server) -> str:
    limit = int(server.discovery.get("limits", {}).get("max_request_bytes", MAX_REQUEST_BYTES))
    expect(limit <= MAX_REQUEST_BYTES, f"states a request limit of {limit} bytes, over 256 KiB")
    link_id, token = server.link()
    padding = "x" * (MAX_REQUEST_BYTES + 1024)
    attempts = [
        ("PUT profile", "PUT", f"{server.base}/links/{link_id}/profile", token,
         {"receipt": server.receipt(["greeting"]),
          "slices": {"greeting": {"first_name": padding}}}),
        ("POST links", "POST", f"{server.base}/links", None,
         {**server.link_request(), "padding": padding}),
    ]
    if server.takes_feedback:
        # Every route that takes a body, not only the profile: feedback too.
        attempts.append(
            ("POST feedback", "POST", f"{server.base}/links/{link_id}/feedback", token,
             {"verdicts": [{"suggestion_id": padding, "verdict": "like"}]}))
    for label, method, path, bearer, body in attempts:
        response = server.request(method, path, bearer, json=body)
        expect(response.status_code == 413,
               f"{label} over 256 KiB answered {response.status_code}, not 413")
        wrong = problem_fault(response)
        expect(wrong is None, f"413 is not problem+json: {wrong}")
    return f"bodies over 256 KiB refused with 413 ({', '.join(a[0] for a in attempts)})"


def rule_problem_json(server: Server) -> str:
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
        expect(400 <= response.status_code < 500,
               f"{label} answered {response.status_code}, not a 4xx")
        wrong = problem_fault(response)
        expect(wrong is None, f"{label}: {wrong}")
    return f"{len(cases)} kinds of error all application/problem+json"


def rule_gpc(server: Server) -> str:
    # The shopper accepts the server's own terms but sends Sec-GPC: 1, which is stronger.
    response = server.request("POST", f"{server.base}/links", headers={"Sec-GPC": "1"},
                              json=server.link_request())
    if response.status_code in (409, 422):
        expect(problem_fault(response) is None, "GPC refusal is not problem+json")
        return "refuses links under Sec-GPC: 1 rather than sell or share"
    expect(response.status_code == 201, f"link under Sec-GPC: 1 answered {response.status_code}")
    created = LinkCreated.model_validate(response.json())
    server.remember(created)
    expect(not created.terms.resale and not created.terms.third_party_sharing,
           "under Sec-GPC: 1 the link's terms still allow resale or sharing")
    return "Sec-GPC: 1 links carry no resale and no sharing"


def rule_forget_me(server: Server) -> str:
    link_id, token = server.link()
    server.put_profile(link_id, token, server.sample_slices())
    gone = server.request("DELETE", f"{server.base}/links/{link_id}", token)
    expect(gone.status_code in (200, 202, 204), f"DELETE answered {gone.status_code}")
    for method, path in (("GET", "/profile"), ("GET", "/suggestions"), ("DELETE", "")):
        after = server.request(method, f"{server.base}/links/{link_id}{path}", token)
        expect(after.status_code in (404, 410),
               f"after forget, {method} {path or 'link'} answered {after.status_code}, "
               "not 404/410")
    return "after DELETE the link answers 404/410"


