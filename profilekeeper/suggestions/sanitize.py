"""Step 1: stored suggestions made plain again before anything reads them.

The client cleaned them on receipt (``parse_suggestions``); this runs again at read time so a
record sealed by an older release, or imported from a file, is held to the same bar. Text goes
through ``sync.sanitize.clean_text`` with the protocol's caps (a currency that is not a code
as the protocol has them, ``EUR``, is none); an item whose title is empty once
cleaned, whose kind is not one the protocol knows, or whose url is not http(s) is dropped and
counted with its reason. Most items are clean already: one search over all of an item's text
finds those, which are kept as they are (no copy). Format characters (zero-width, bidi, the
byte-order mark: ``plain_text.FORMAT``) are not printable, so an item holding one is cleaned.

``plain_row`` holds a suggestion as the JSON export writes it (a plain dict) to the same bar,
without dropping it: the export keeps every record, its shop text made plain.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from profilekeeper.model import Suggestion
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.suggestion_limits import (
    MAX_CATEGORY,
    MAX_CREATOR,
    MAX_CREATORS,
    MAX_ID,
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
    # Printable text has no control, bidi, zero-width or line-break character, no space but " ":
    # so, in values joined by "|", no "| " or " |" means no spaces around any value, and no
    # "||" no empty one (a "|" in a value only sends the item the slow way).
    joined = f"|{'|'.join((s.title, s.category or '-', s.reason or '-', *s.creators, *s.tags))}|"
    if (joined.isprintable() and "| " not in joined and " |" not in joined
            and "||" not in joined
            and (("city" not in details and "venue" not in details) or _plain_details(details))
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


_ROW_TEXT = {"remote_id": MAX_ID, "title": MAX_TITLE, "category": MAX_CATEGORY,
             "reason": MAX_REASON, "url": MAX_URL}  # fmt: skip
_ROW_LISTS = {"creators": (MAX_CREATORS, MAX_CREATOR), "tags": (MAX_TAGS, MAX_TAG)}
_ANY_DETAIL = MAX_REASON
"""The cap on a detail's text other than ``city`` and ``venue`` (a date, a snooze's end)."""


def plain_row(row: dict[str, Any]) -> dict[str, Any]:
    """A suggestion's plain record (``store.codec``'s, as exported) with every text a shop sent
    cleaned and capped as ``fit_to_show`` cleans it; the details' text at any depth too. The
    owner's own fields (verdict, status, the person) are left as they are. A space a cut leaves
    at the end goes too, so that a row made plain is made plain again unchanged (an export
    imported and exported again is the same file)."""
    out = dict(row)
    for name, limit in _ROW_TEXT.items():
        if isinstance(value := row.get(name), str):
            out[name] = _plain(value, limit)
    for name, (count, limit) in _ROW_LISTS.items():
        if isinstance(values := row.get(name), list):
            out[name] = [t for v in values[:count]
                         if isinstance(v, str) and (t := _plain(v, limit))]
    if isinstance(currency := row.get("currency"), str) and not _currency(currency):
        out["currency"] = ""
    if isinstance(details := row.get("details"), dict):
        out["details"] = {_plain(str(k), MAX_ID):
                          plain_value(v, _TEXT_DETAILS.get(k, _ANY_DETAIL))
                          for k, v in details.items()}  # fmt: skip
    return out


def plain_value(value: Any, limit: int) -> Any:
    """``value`` with each string in it, at any depth (keys too), made plain to ``limit``."""
    if isinstance(value, str):
        return _plain(value, limit)
    if isinstance(value, list):
        return [plain_value(v, limit) for v in value]
    if isinstance(value, dict):
        return {_plain(str(k), limit): plain_value(v, limit) for k, v in value.items()}
    return value


def _plain(text: str, limit: int) -> str:
    return clean_text(text, limit=limit).rstrip()
