"""The conformance checker: does a server at some URL speak sync protocol version 1?

``check_server(url)`` runs every rule in ``RULES`` against a live server and returns one
``RuleResult`` per rule; ``profilekeeper retailer check URL`` prints them. Each rule uses its
own link, made from the terms the server advertises, and forgets it afterwards. The checker
talks through httpx alone; it is not the shopper's client.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from pydantic import ValidationError

from profilekeeper.sync.conformance._harness import (
    Failed,
    RuleResult,
    Server,
    Skipped,
    first_error,
    printable,
)
from profilekeeper.sync.conformance._lifecycle import rule_forget_is_final, rule_retention
from profilekeeper.sync.conformance._paging import rule_paging, rule_paging_to_the_end
from profilekeeper.sync.conformance._reach import check_reachable
from profilekeeper.sync.conformance._requests import rule_no_echo, rule_unknown_members
from profilekeeper.sync.conformance._rules import (
    rule_auth_required,
    rule_consent_receipt,
    rule_discovery,
    rule_forget_me,
    rule_full_replacement,
    rule_gpc,
    rule_link_terms,
    rule_problem_json,
    rule_size_limit,
)

__all__ = ["RULES", "RuleResult", "check_server", "printable"]

RULES: list[tuple[str, str, Callable[[Server], str]]] = [
    ("discovery", "discovery document has the v1 shape", rule_discovery),
    ("link-terms", "links on offered terms; refuses stricter terms with a reason",
     rule_link_terms),
    ("auth-required", "every data route needs the link's bearer token", rule_auth_required),
    ("full-replacement", "a slice left out of a PUT is deleted", rule_full_replacement),
    ("consent-receipt", "the consent receipt is stored and echoed", rule_consent_receipt),
    ("retention", "data kept no longer than the receipt and the link's terms allow",
     rule_retention),
    ("paging", "cursor paging and the page-size limit", rule_paging),
    ("paging-to-the-end", "every page to the end: no repeats, none skipped, no loops",
     rule_paging_to_the_end),
    ("size-limit", "request bodies over 256 KiB refused, on every route", rule_size_limit),
    ("unknown-members", "requests with a member the protocol lacks are refused",
     rule_unknown_members),
    ("problem-json", "errors are application/problem+json", rule_problem_json),
    ("no-echo", "errors never repeat what the client sent", rule_no_echo),
    ("gpc", "Sec-GPC: 1 switches resale and sharing off", rule_gpc),
    ("forget-me", "after DELETE the link is gone", rule_forget_me),
    ("forget-is-final", "writing after DELETE does not bring the link back",
     rule_forget_is_final),
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

    Raises:
        ShopUnreachable: the server cannot be reached at all (no rule is run): the message
            says why, e.g. ``cannot reach http://127.0.0.1:9: connection refused``.
    """
    results = []
    with httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False) as client:
        check_reachable(client, base_url, timeout)
        server = Server(client)
        for name, _what, rule in RULES:
            if only is not None and name not in only:
                continue
            try:
                results.append(RuleResult(name, "pass", rule(server)))
            except Failed as failure:
                results.append(RuleResult(name, "fail", printable(str(failure), 300)))
            except Skipped as skipped:
                results.append(RuleResult(name, "skip", printable(str(skipped), 300)))
            except httpx.HTTPError as error:
                results.append(RuleResult(name, "fail", f"HTTP error: {type(error).__name__}"))
            except (ValueError, ValidationError, KeyError, TypeError, AttributeError) as error:
                # A JSON answer of the wrong shape (a list where an object belongs, say).
                results.append(RuleResult(name, "fail",
                                          f"unexpected answer: {first_error(error)}"))
            finally:
                server.cleanup()
    return results
