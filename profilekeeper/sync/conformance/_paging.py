"""Paging rules: the page-size limit and the first pages, then every page to the end.

The walk to the end is what catches a server whose cursor breaks once past the first pages
(past 30 items, say): it repeats items, skips some, hands out a cursor it gave before, or stops
early. Each walk is bounded, so a looping cursor fails instead of hanging the checker.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from profilekeeper.sync.conformance._harness import (
    Failed,
    Server,
    Skipped,
    expect,
    first_error,
    printable,
)
from profilekeeper.sync.protocol import MAX_PAGE_SIZE, SuggestionPage

DEEP_ENOUGH = 30
"""A walk to the end means something only past this many items: the first pages of 3 above."""
SMALL_PAGE = 9
"""Pages this small need several cursors to get past ``DEEP_ENOUGH``, yet stay cheap."""
LONGEST_LIST = 1000
"""The longest list the checker walks: one with more is judged on its first 1000 items."""

def rule_paging(server: Server) -> str:
    link_id, token = server.link()
    expect(server.put_profile(link_id, token, server.sample_slices()).status_code == 200,
           "putting a profile failed")
    url = f"{server.base}/links/{link_id}/suggestions"
    page_max = int(server.discovery.get("limits", {}).get("max_page_size", MAX_PAGE_SIZE))
    over = server.request("GET", url, token, params={"limit": min(page_max, MAX_PAGE_SIZE) + 1})
    expect(over.status_code in (400, 422),
           f"limit above the page maximum answered {over.status_code}, not 400/422")
    full = server.request("GET", url, token, params={"limit": page_max})
    expect(full.status_code == 200, f"suggestions answered {full.status_code}")
    try:
        reference = [item.id for item in SuggestionPage.model_validate(full.json()).items]
    except (ValueError, ValidationError) as error:
        raise Failed(f"page does not match SuggestionPage: {first_error(error)}") from None
    expect(len(reference) <= page_max, f"page of {len(reference)} items over {page_max}")
    if len(reference) < 4:
        raise Skipped(f"only {len(reference)} suggestions: too few to test paging")
    walked: list[str] = []
    cursor: str | None = None
    pages = 0
    for pages in range(1, 11):  # noqa: B007 - the count is reported
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = server.request("GET", url, token, params=params)
        expect(page.status_code == 200, f"a following page answered {page.status_code}")
        body = SuggestionPage.model_validate(page.json())
        expect(len(body.items) <= 3, f"limit=3 gave {len(body.items)} items")
        walked.extend(item.id for item in body.items)
        cursor = body.next_cursor
        if cursor is None:
            break
    expect(len(walked) == len(set(walked)), "the same suggestion came on two pages")
    expect(walked == reference[:len(walked)],
           "pages of 3 do not add up to the same list as one large page")
    return f"{len(walked)} items over {pages} pages match one page of {page_max}"


class _Stale(Exception):
    """A cursor went stale (409): the list changed under the walk, which the protocol allows."""


def _page_max(server: Server) -> int:
    stated = server.discovery.get("limits", {}).get("max_page_size", MAX_PAGE_SIZE)
    return max(1, min(int(stated), MAX_PAGE_SIZE))


def _walk(server: Server, url: str, token: str, limit: int, max_items: int
          ) -> tuple[list[str], int, bool]:
    """Suggestion ids following cursors from the first page, up to ``max_items`` of them.

    Returns the ids, how many pages they took, and whether the list ended (a null cursor)
    rather than the walk stopping at ``max_items``.
    """
    ids: list[str] = []
    seen: set[str] = set()
    cursors: set[str] = set()
    cursor: str | None = None
    max_pages = -(-max_items // limit) + 2  # room for a short page or an empty last one
    for page_number in range(1, max_pages + 1):
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = server.request("GET", url, token, params=params)
        if response.status_code == 409:
            raise _Stale
        expect(response.status_code == 200,
               f"page {page_number} of pages of {limit} answered {response.status_code}")
        try:
            page = SuggestionPage.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            raise Failed(f"page {page_number} does not match SuggestionPage: "
                         f"{first_error(error)}") from None
        for item in page.items:
            expect(item.id not in seen, f"pages of {limit}: {printable(item.id, 40)!r} came "
                   f"again on page {page_number}, after {len(ids)} items")
            seen.add(item.id)
            ids.append(item.id)
        if page.next_cursor is None:
            return ids, page_number, True
        if len(ids) >= max_items:
            return ids[:max_items], page_number, False
        expect(page.next_cursor not in cursors, f"pages of {limit}: page {page_number} hands "
               "out a cursor it gave before: the paging loops")
        cursor = page.next_cursor
        cursors.add(cursor)
    raise Failed(f"pages of {limit}: still a next cursor after {max_pages} pages "
                 f"and {len(ids)} items")


def rule_paging_to_the_end(server: Server) -> str:
    link_id, token = server.link()
    expect(server.put_profile(link_id, token, server.sample_slices()).status_code == 200,
           "putting a profile failed")
    url = f"{server.base}/links/{link_id}/suggestions"
    for attempt in range(2):
        try:
            return _walk_twice(server, url, token)
        except _Stale:
            if attempt:
                raise Failed("cursors went stale (409) on two walks in a row, with nothing "
                             "changed in between") from None
    raise AssertionError("unreachable: the second attempt returns or raises")


def _walk_twice(server: Server, url: str, token: str) -> str:
    """Walk the list in the largest pages, then in small ones: the two must agree exactly."""
    page_max = _page_max(server)
    whole, _pages, ended = _walk(server, url, token, page_max, LONGEST_LIST)
    if len(whole) <= DEEP_ENOUGH:
        raise Skipped(f"only {len(whole)} suggestions: paging past {DEEP_ENOUGH} needs more")
    small = min(SMALL_PAGE, page_max)
    # A list that ended must end at the same item in small pages; one cut at LONGEST_LIST is
    # compared as far as it was walked.
    walked, pages, _ended = _walk(server, url, token, small,
                                  len(whole) + (small if ended else 0))
    expect(len(walked) == len(whole), f"pages of {small} gave {len(walked)} items, pages of "
           f"{page_max} gave {len(whole)}")
    if walked != whole:
        differs = next(n for n, (a, b) in enumerate(zip(walked, whole, strict=True)) if a != b)
        raise Failed(f"pages of {small} and pages of {page_max} give the items in another "
                     f"order, from item {differs + 1} on")
    return f"{len(walked)} items over {pages} pages of {small}, the same as pages of {page_max}"
