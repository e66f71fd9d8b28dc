"""Step 1: stored suggestions made plain again before anything reads them.

The client cleaned them on receipt (``parse_suggestions``); this runs again at read time so a
record sealed by an older release, or imported from a file, is held to the same bar. Text goes
through ``sync.sanitize.clean_text`` with the protocol's caps (a currency that is not a code
as the protocol has them, ``EUR``, is none); an item whose title is empty once
cleaned, whose kind is not one the protocol knows, or whose url is not http(s) is dropped and
counted with its reason. Most items are clean already: one search over all of an item's text
finds those, which are kept as they are (no copy).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from profilekeeper.model import Suggestion
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.suggestion_limits import (
    MAX_CATEGORY,
    MAX_CREATOR,
    MAX_CREATORS,
    MAX_REASON,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    MAX_URL,
)

KINDS = frozenset({"product", "release", "event", "offer"})
_URL = re.compile(r"https?://[^\s/?#@]+(?:[/?#][\x21-\x7e]*)?", re.ASCII)
_TEXT_DETAILS = {"city": 80, "venue": 120}


def sanitize(items: Iterable[Suggestion]) -> tuple[list[Suggestion], Counter[str]]:
    """The items fit to show, in order, and how many were dropped for each reason."""
    kept: list[Suggestion] = []
    dropped: Counter[str] = Counter()
    append = kept.append
    for s in items:
        fit = fit_to_show(s)
        if isinstance(fit, str):
            dropped[fit] += 1
        else:
            append(fit)
    return kept, dropped


def fit_to_show(s: Suggestion) -> Suggestion | str:
    """``s`` (itself when clean already, else a cleaned copy), or why it is dropped."""
    why = _unfit(s)
    if why is not None:
        return why
    s = _cleaned(s)
    return s if s.title else "title: empty once cleaned"


def _unfit(s: Suggestion) -> str | None:
    if s.kind not in KINDS:
        return "kind: not one the protocol knows"
    if s.url and (len(s.url) > MAX_URL or not _URL.fullmatch(s.url)):
        return "url: not an http(s) address"
    return None


def _cleaned(s: Suggestion) -> Suggestion:
    details = s.details
    # Printable text has no control, bidi or line-break character, and no space but " ":
    # so, in values joined by "|", no "| " or " |" means no spaces around any value, and no
    # "||" no empty one (a "|" in a value only sends the item the slow way).
    joined = f"|{'|'.join((s.title, s.category or '-', s.reason or '-', *s.creators, *s.tags))}|"
    if (joined.isprintable() and "| " not in joined and " |" not in joined
            and "||" not in joined and (s.kind != "event" or _plain_details(details))
            and len(s.title) <= MAX_TITLE and len(s.category) <= MAX_CATEGORY
            and len(s.reason) <= MAX_REASON and len(s.creators) <= MAX_CREATORS
            and len(s.tags) <= MAX_TAGS and max(map(len, s.creators), default=0) <= MAX_CREATOR
            and max(map(len, s.tags), default=0) <= MAX_TAG and _currency(s.currency)):  # fmt: skip
        return s  # the common case: nothing to clean, no copy
    return replace(
        s,
        title=clean_text(s.title, limit=MAX_TITLE),
        category=clean_text(s.category, limit=MAX_CATEGORY),
        reason=clean_text(s.reason, limit=MAX_REASON),
        creators=_clean_list(s.creators[:MAX_CREATORS], MAX_CREATOR),
        tags=_clean_list(s.tags[:MAX_TAGS], MAX_TAG),
        currency=s.currency if _currency(s.currency) else "",
        details={k: clean_text(v, limit=_TEXT_DETAILS[k])
                 if k in _TEXT_DETAILS and isinstance(v, str) else v
                 for k, v in details.items()},
    )  # fmt: skip


def _currency(code: str) -> bool:
    """No currency, or an ISO 4217 code as the protocol has it: else it is none."""
    return not code or (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper())


def _plain_details(details: dict[str, object]) -> bool:
    return all(not isinstance(v, str) or (v.isprintable() and v == v.strip() and len(v) <= cap)
               for k, cap in _TEXT_DETAILS.items() if (v := details.get(k)) is not None)


def _clean_list(values: list[str], limit: int) -> list[str]:
    cleaned = (clean_text(v, limit=limit) for v in values)
    return [v for v in cleaned if v]
