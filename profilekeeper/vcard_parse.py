"""A tolerant vCard (2.1, 3.0, 4.0) reader: lines → cards of the properties read, one at a time.

Written here instead of using ``vobject``, which refuses a whole card for one line it does not
like, cannot say which line that was, and holds a card's every property (photos included)
while it parses. Here each line stands alone:

- a line is ``[group.]NAME[;PARAM…]:value`` (RFC 6350 §3.3); one starting with a space or tab
  carries on the line before (folding), and after a quoted-printable value ending in ``=``
  (vCard 2.1) the next line carries it on with no space at all;
- a line that is no property is, after a property not read here (an address, a note, the
  unindented base64 of a 2.1 photo), taken as more of its value — exporters write a value's
  line breaks unfolded — and dropped with it; anywhere else it is skipped and said so;
- a line whose name has characters the grammar does not allow (``X-AIM/ICQ:…``) is skipped,
  and said so;
- only the properties ``USED`` are kept, as they are read, so a photo costs no memory; a card
  keeps at most ``MAX_CARD_CHARS`` of their text, and a line past that is skipped, said so.

What is said names the line's number and its property, never its value (personal data).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from profilekeeper.vcard_stream import MAX_CARD_CHARS, decode_bytes

ANNIVERSARY_NAMES = frozenset({"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY",
                               "X-EVOLUTION-ANNIVERSARY", "X-KADDRESSBOOK-X-ANNIVERSARY"})
USED = frozenset({"VERSION", "FN", "N", "UID", "BDAY", *ANNIVERSARY_NAMES, "X-ABDATE",
                  "X-ABLABEL", "X-ANDROID-CUSTOM"})
"""The properties read from a card; the others (PHOTO, NOTE, ADR…) are passed over unkept."""
_NAME = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)(?=[;:])")
_PARAM = re.compile(r';([^;:="]*)(?:=((?:"[^"]*"|[^;:"])*))?')
_NAME_LIKE = re.compile(r"[A-Za-z0-9._/@+\-]{1,60}(?=[;:])")
"""What a property name that breaks the grammar looks like: shown in a message, since it is a
name, not a value; a stray line of text (a note's second line) is never shown."""
_LIST_SPLIT = re.compile(r"(?<!\\),")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
MAX_SKIPPED = 1000
"""Messages kept per import; past that they are counted only, so memory stays bounded."""
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line, or a card, left out, and why; never its value."""

    reason: str
    line: int | None = None
    property: str = ""
    card: int | None = None
    file: str = ""

    def __str__(self) -> str:
        where = ", ".join(filter(None, (f"card {self.card}" if self.card else "",
                                        f"line {self.line}" if self.line else "")))
        prop = f"{self.property}: " if self.property else ""
        return f"{self.file}: " * bool(self.file) + f"{where}: " * bool(where) + prop + self.reason


class Problems(list[Skipped]):
    """What was skipped: the first ``MAX_SKIPPED`` kept, the rest counted in ``more``."""

    more = 0

    def append(self, item: Skipped) -> None:
        if len(self) < MAX_SKIPPED:
            super().append(item)
        else:
            self.more += 1


@dataclass(frozen=True, slots=True)
class Prop:
    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    raw: str
    """The value as written: still escaped and, in vCard 2.1, maybe still encoded."""

    def param(self, key: str) -> str | None:
        values = self.params.get(key)
        return values[0] if values else None

    def text(self) -> str:
        """The value as text: decoded (quoted-printable, base64, CHARSET) and unescaped."""
        return _unescape(self.decoded())

    def decoded(self) -> str:
        encoding = (self.param("ENCODING") or "").upper()
        if encoding in ("QUOTED-PRINTABLE", "B", "BASE64"):
            charset = self.param("CHARSET")
            try:
                data = self.raw.encode(_codec_or_utf8(charset), errors="replace")
                if encoding == "QUOTED-PRINTABLE":
                    data = quopri.decodestring(data)
                else:
                    data = base64.b64decode(data, validate=False)
            except (ValueError, binascii.Error):
                return self.raw
            return decode_bytes(data, charset)[0]
        return self.raw

    def components(self) -> list[str]:
        """A structured value (``N``) split at its unescaped ``;``, each part unescaped and its
        list items (``,``) joined by spaces."""
        return [" ".join(_unescape(i) for i in _LIST_SPLIT.split(part))
                for part in re.split(r"(?<!\\);", self.decoded())]  # fmt: skip


@dataclass
class Card:
    number: int
    line: int
    props: list[Prop] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _codec_or_utf8(charset: str | None) -> str:
    """The text codec ``charset`` names, else UTF-8 (for no name, an unknown one, or a codec
    Python has that is not for text, such as ``rot13``)."""
    if charset:
        try:
            name = codecs.lookup(charset.strip('" ')).name
            "".encode(name)
            return name
        except (LookupError, ValueError):
            pass
    return "utf-8"


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def parse_line(text: str) -> tuple[str, str, dict[str, list[str]], str] | None:
    """``(group, NAME, params, raw value)`` of a content line, or None if it is not one."""
    match = _NAME.match(text)
    if match is None:
        return None
    group, name = match.group(1) or "", match.group(2).upper()
    params: dict[str, list[str]] = {}
    at = match.end()
    while at < len(text) and text[at] == ";":
        param = _PARAM.match(text, at)
        if param is None:
            return None
        key, value = param.group(1).strip().upper(), param.group(2)
        if value is None:  # vCard 2.1's bare TYPE or ENCODING: "TEL;HOME;VOICE:", ";QUOTED-…"
            key, value = ("ENCODING" if key in _ENCODINGS else "TYPE"), key
        params.setdefault(key, []).extend(v.strip('"') for v in re.findall(r'"[^"]*"|[^,]+',
                                                                           value))
        at = param.end()
    if at >= len(text) or text[at] != ":":
        return None
    return group, name, params, text[at + 1:]


def read_cards(lines: Iterable[str]) -> Iterator[Card]:
    """Each card (BEGIN:VCARD … END:VCARD) in ``lines``, as it is read, with its ``USED``
    properties and what was skipped in it. A card cut off (by the end of the file, or by the
    next BEGIN:VCARD) is given as far as it goes."""
    card: Card | None = None
    number = 0
    size = 0  # of the kept text of the current card
    head: list[str] | None = None  # the pieces of a kept property being read, if any
    head_size = 0
    head_line = 0
    skipping = False  # in a property not kept: its folded and carried-on lines go with it
    soft_break = False  # the line before ended a quoted-printable value in "=": carried on

    def finish() -> None:  # the property in ``head`` is complete
        nonlocal head, size
        if head is None or card is None:
            head = None
            return
        text = "".join(head)
        head = None
        parsed = parse_line(text)
        if parsed is None:  # only its name was checked so far: "FN;X="unclosed:…"
            name = _NAME.match(text)
            card.skipped.append(Skipped("its parameters cannot be read; skipped", head_line,
                                        name.group(2).upper() if name else ""))
            return
        if head_size > MAX_CARD_CHARS or size + len(text) > MAX_CARD_CHARS:
            card.skipped.append(Skipped(f"the card's names and dates take more than "
                                        f"{MAX_CARD_CHARS // 1024} KiB; skipped", head_line,
                                        parsed[1]))
            return
        size += len(text)
        card.props.append(Prop(head_line, *parsed))

    for number_of_line, line in enumerate(lines, start=1):
        if soft_break:  # vCard 2.1 quoted-printable: the value carries on, with no space
            soft_break = line.endswith("=")
            if head is not None and head_size <= MAX_CARD_CHARS:
                head[-1] = head[-1][:-1]
                head.append(line)
                head_size += len(line)
            continue
        if line[:1] in (" ", "\t"):  # folded: the line before carries on
            if head is not None and head_size <= MAX_CARD_CHARS:
                head.append(line[1:])  # past the cap the rest cannot be kept anyway
                head_size += len(line)
            if card is not None and head is None and not skipping:
                card.skipped.append(Skipped("a folded line with no property before it; "
                                            "skipped", number_of_line))
            continue
        finish()
        keyword = line.rstrip().upper()
        if keyword == "BEGIN:VCARD":
            if card is not None:
                yield card  # cut off by the next card: as far as it goes
            number += 1
            card, size, skipping = Card(number, number_of_line), 0, False
            continue
        if card is None:
            continue  # outside a card: nothing to read
        if keyword == "END:VCARD":
            yield card
            card = None
            continue
        name = _NAME.match(line)
        if name is None and (odd := _NAME_LIKE.match(line)):
            card.skipped.append(Skipped("its name has characters vCard does not allow; skipped",
                                        number_of_line, odd.group(0)))
            skipping = True  # its own continued lines go with it
            continue
        if name is None:
            if not skipping:  # after a property read here, or none: stray text, not its value
                card.skipped.append(Skipped("not a property (no name and colon); skipped",
                                            number_of_line))
            continue
        skipping = name.group(2).upper() not in USED
        prefix = line[: line.find(":")] if ":" in line else line
        soft_break = line.endswith("=") and "QUOTED-PRINTABLE" in prefix.upper()
        if not skipping:
            head, head_line, head_size = [line], number_of_line, len(line)
    finish()
    if card is not None:
        yield card  # the file ended before END:VCARD
