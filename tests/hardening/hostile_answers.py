"""Generated hostile answers for every route a look, a connect and a sync read (issue #18 §4).

Each strategy draws a whole HTTP answer: a status (mostly the route's own, else any error or
redirect), a content type, sometimes odd headers, and a body that is a protocol document
mutated (members dropped, added or given wrong types), arbitrary JSON, JSON nested deep, a
huge string, text full of markup, escape sequences and bidi controls, or bytes that are not
UTF-8 at all. Big values are built from a drawn size, so hypothesis keeps only the size.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.sync.hostile_shop import DISCOVERY, LINK, TERMS, TOKEN, suggestion

HOSTILE_BITS = [
    "\x1b[31m", "\x1b[2J", "\x1b]8;;https://evil.example/\x1b\\", "\x1b]0;owned\x07", "\x1bP1$q",
    "\x1b", "\x9b6n", "\x9d8;;https://evil.example/\x9c", "\x90q", "[red]", "[/]",
    "[@click=app.quit]", "[link=https://evil.example/]", "[bold]", "\\[", "\u202e", "\u2066",
    "\u200f", "\u061c", "\ufeff", "\x00", "\r\n", "\t", "\x85", "\u2028", "\x7f", "\x07", "\x08",
    "\ud800", "\udfff", "é", "ß", "😀", "\U0010ffff", "Ａ", "\u0301", "%s", "{0}", "<script>",
    "&amp;", "'; DROP TABLE", " ",
]  # fmt: skip
"""Pieces of text that mean something to a terminal, to Rich/Textual markup or to a parser."""

WORDS = ["Ada", "Lumen", "crime", "Lisbon", "a", "-", ".", "0", "|", ":"]
hostile_text = st.one_of(
    st.lists(st.sampled_from(HOSTILE_BITS + WORDS), max_size=6).map("".join),
    st.text(max_size=8),
)  # fmt: skip
SIZES = [0, 1, 40, 41, 121, 201, 301, 501, 2001, 100_000, 1_000_000]


@dataclass(frozen=True)
class Huge:
    """A string too big to keep: written out only as its answer is sent (hypothesis holds every
    value an example drew until its run ends)."""

    size: int
    unit: str

    def text(self) -> str:
        return (self.unit * self.size)[: self.size]


@dataclass(frozen=True)
class Big:
    """A body too big to keep, as ``(bytes, times)`` parts; written out only when sent."""

    parts: tuple[tuple[bytes, int], ...]

    def __bytes__(self) -> bytes:
        return b"".join(unit * times for unit, times in self.parts)


SIZES = [0, 1, 40, 41, 121, 201, 301, 501, 2001, 100_000, 1_000_000]
huge_text = st.builds(Huge, st.sampled_from(SIZES),
                      st.sampled_from(["x", "é", "\x1b[1m", "[b]", " "]))  # fmt: skip
bad_url = st.sampled_from([
    "", "javascript:alert(1)", "http://evil.example/", "https://", "https://user@evil.example/",
    "https://evil.example/\x1b[2J", "https://evil.example/ space", "ftp://evil.example/",
    "https://é.example/", "https://evil.example:99999/", "file:///etc/passwd", "//evil.example/",
    "https://evil.example/" + "a" * 2100, "data:text/html,<b>x</b>", "https://evil.example/\u202e",
])  # fmt: skip
bad_cursor = st.sampled_from(["", " ", "é", "c" * 1001, "\x1b[2J", "a b", "\x00", "next", "c2"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-2**70, 2**70),
                    st.floats(), hostile_text)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(hostile_text, st.sampled_from(["items", "kind", "id", "title"])),
                      inner, max_size=4),
    max_leaves=6)  # fmt: skip
wrong_values = st.one_of(json_values, hostile_text, huge_text, bad_url, bad_cursor,
                         st.sampled_from([-1, 0, 10**30, 1e308, "NaN", [], {}, [[[]]], "2026-13-45",
                                          "9.999", "-1.00", "EURO", "self"]))  # fmt: skip


def _dicts(node: Any) -> list[dict[str, Any]]:
    """Every object in ``node``, depth first: the places a mutation may land."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _dicts(value)
    elif isinstance(node, list):
        for value in node:
            found += _dicts(value)
    return found


@st.composite
def mutated(draw: st.DrawFn, template: Any, most: int = 3) -> Any:
    """``template`` with up to ``most`` members dropped, added, or set to a wrong value."""
    doc = copy.deepcopy(template)
    for _ in range(draw(st.integers(0, most))):
        places = _dicts(doc)
        if not places:
            break
        place = places[draw(st.integers(0, len(places) - 1))]
        action = draw(st.sampled_from(["drop", "set", "set", "add"]))
        if action == "drop" and place:
            place.pop(draw(st.sampled_from(sorted(place))))
        elif action == "set" and place:
            place[draw(st.sampled_from(sorted(place)))] = draw(wrong_values)
        else:
            place[draw(st.one_of(hostile_text, st.sampled_from(["extra", "__proto__"])))] = \
                draw(wrong_values)  # fmt: skip
    return doc


def _deep(depth: int, opener: str) -> Big:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return Big(((opener.encode(), depth), (b"1", 1), (closer.encode(), depth)))


special_bodies = st.one_of(
    st.sampled_from([b"", b"null", b"[]", b"{}", b'""', b"<html>oops</html>", b"\xff\xfe\x00",
                     b'{"items": [', b"NaN", b"1e999999", b'{"a": "\xc3("}', b'"\xed\xa0\x80"',
                     b"\x1b[2J", Big(((b" ", 2_200_000),))]),
    st.builds(_deep, st.sampled_from([50, 900, 5_000, 200_000]), st.sampled_from(["[", '{"a":'])),
    st.sampled_from([1_000_000, 2 * 1024 * 1024 - 2, 2 * 1024 * 1024 + 1]).map(
        lambda n: Big(((b'"', 1), (b"x", n), (b'"', 1)))),
)  # fmt: skip
"""Bodies no generator of documents would make: empty, cut off, not UTF-8, 200,000 deep,
over the client's 2 MiB cap."""


@dataclass(frozen=True)
class Doc:
    """A JSON document, encoded only when sent."""

    doc: Any
    ascii_only: bool

    def __bytes__(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self, size: int = 65536) -> Iterator[bytes]:
        """The encoded document in pieces of about ``size`` bytes: a page of huge strings is
        never whole in memory, and stops being made when the client hangs up at its cap."""
        encoder = json.JSONEncoder(ensure_ascii=self.ascii_only, default=Huge.text)
        pending: list[bytes] = []
        held = 0
        for text in encoder.iterencode(self.doc):
            # surrogatepass: a lone surrogate goes out as the bytes it would be, not UTF-8.
            pending.append(text.encode("utf-8", "surrogatepass"))
            held += len(pending[-1])
            if held >= size:
                yield b"".join(pending)
                pending, held = [], 0
        yield b"".join(pending)


@dataclass(frozen=True)
class Answer:
    status: int
    content: bytes | Big | Doc
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        return bytes(self.content)

    def chunks(self) -> Iterator[bytes]:
        return self.content.chunks() if isinstance(self.content, Doc) else iter([self.body()])


def _encoded(doc: Any, ascii_only: bool) -> Doc:
    return Doc(doc, ascii_only)


problem_doc = st.fixed_dictionaries(
    {"type": st.one_of(hostile_text, st.just("urn:profilekeeper:problem:terms-not-met")),
     "title": hostile_text, "status": wrong_values, "detail": st.one_of(hostile_text, huge_text)},
    optional={"unmet": st.one_of(st.lists(st.one_of(hostile_text, huge_text), max_size=12),
                                 wrong_values)})  # fmt: skip
HEADERS = st.sampled_from([
    {}, {}, {}, {"Retry-After": "0"}, {"Retry-After": "120"}, {"Retry-After": "soon"},
    {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, {"Content-Encoding": "gzip"},
    {"Location": "https://evil.example/steal"}, {"Location": "/v1/links"}, {"Location": "::"},
    {"Location": "http://localhost:1/"}, {"Content-Type": "text/html; charset=utf-7"},
])  # fmt: skip
MEDIA = st.sampled_from(["application/json", "application/json", "application/problem+json",
                         "text/html", "text/plain", "application/octet-stream", "",
                         "application/json; charset=utf-16", "multipart/form-data"])
ERRORS = [201, 202, 204, 206, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 406,
          409, 410, 413, 415, 418, 422, 429, 431, 451, 500, 501, 502, 503, 504, 507, 599]


@st.composite
def answers(draw: st.DrawFn, template: Any, ok: int) -> Answer:
    """One answer to a route whose good answer is ``template`` with status ``ok``."""
    status = draw(st.one_of(st.just(ok), st.just(ok), st.sampled_from([*ERRORS, 200])))
    if status in (204, 304):  # no body allowed: HTTP itself says so
        return Answer(status, b"", draw(MEDIA), draw(HEADERS))
    kind = draw(st.sampled_from(["doc", "doc", "doc", "valid", "problem", "json", "special"]))
    if kind == "special":
        body = draw(special_bodies)
    else:
        doc = {"valid": st.just(template), "doc": mutated(template), "problem": problem_doc,
               "json": json_values}[kind]  # fmt: skip
        body = _encoded(draw(doc), draw(st.booleans()))
    return Answer(status, body, draw(MEDIA), draw(HEADERS))


DISCOVERED = {**DISCOVERY, "slices_accepted": ["greeting", "interests.*", "people.*"]}
LINKED = {"link_id": LINK, "token": TOKEN, "token_type": "bearer", "terms": TERMS, "gpc": True,
          "created_at": "2026-12-03T09:00:00Z"}  # fmt: skip
PROFILE = {"link_id": LINK, "slices": {"greeting": {"first_name": "Robin"}},
           "receipt": None, "stored_at": "2026-12-03T09:00:00Z", "expires_at": None}
ITEMS = {
    "product": suggestion("p1"),
    "release": suggestion("r1", kind="release", release_date="2027-01-15", category="music"),
    "event": suggestion("e1", kind="event", city="Lisbon", date="2027-02-01T20:00:00Z",
                        venue="Coliseu", category="music"),
    "offer": suggestion("o1", kind="offer", discount_percent=20,
                        expires_at="2027-03-01T00:00:00Z"),
}  # fmt: skip


@st.composite
def items(draw: st.DrawFn, refs: list[str]) -> Any:
    item = dict(ITEMS[draw(st.sampled_from(sorted(ITEMS)))])
    item["id"] = draw(st.sampled_from(["p1", "p2", "x", "p1"]))  # repeats: the same id twice
    item["title"] = draw(st.one_of(st.just(item["title"]), hostile_text, huge_text))
    item["reason"] = draw(st.one_of(st.just(item["reason"]), hostile_text, huge_text))
    item["for"] = draw(st.sampled_from(["self", "self", *refs, "p_unknown0000000", ""]))
    item["url"] = draw(st.one_of(st.just(item["url"]), bad_url))
    return draw(mutated(item, most=2))


@st.composite
def pages(draw: st.DrawFn, refs: list[str]) -> Answer:
    """A suggestions page: items good and bad, and a cursor good, bad or going round."""
    cursor = draw(st.one_of(st.none(), st.sampled_from(["c1", "c2", "c3"]), bad_cursor))
    page = {"items": draw(st.lists(items(refs), max_size=4)), "next_cursor": cursor}
    if draw(st.integers(0, 4)) == 0:  # now and then, the page itself goes wrong
        return draw(answers(page, 200))
    return Answer(200, _encoded(page, draw(st.booleans())), draw(MEDIA))


@dataclass(frozen=True)
class Scenario:
    """Every generated answer one example serves, route by route, in order."""

    discovery: list[Answer]
    link: list[Answer]
    put: list[Answer]
    get: list[Answer]
    pages: list[Answer]

    def count(self) -> int:
        return sum(map(len, (self.discovery, self.link, self.put, self.get, self.pages)))


def scenarios(refs: list[str]) -> st.SearchStrategy[Scenario]:
    return st.builds(
        Scenario,
        discovery=st.lists(answers(DISCOVERED, 200), min_size=1, max_size=2),
        link=st.lists(answers(LINKED, 201), min_size=1, max_size=1),
        # Often a sound PUT, so the walk over the pages behind it is reached as often.
        put=st.one_of(st.just([Answer(200, _encoded(PROFILE, True))]),
                      st.lists(answers(PROFILE, 200), min_size=1, max_size=3)),
        get=st.lists(answers(PROFILE, 200), max_size=2),
        pages=st.lists(pages(refs), min_size=1, max_size=3),
    )
