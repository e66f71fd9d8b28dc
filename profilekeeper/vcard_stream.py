"""Reading a vCard file as a stream: bytes → decoded lines → the text of each card.

``VcardLines`` decodes a file in the encodings exporters write (UTF-8 with or without a
byte-order mark, UTF-16 with one, else Windows-1252 where a line's own ``CHARSET=`` does not
say otherwise) in 64 KiB chunks, line by line; ``split_cards`` cuts the lines into cards one at a
time, keeping only the properties ``contacts`` reads (``USED``), so memory never grows with the
file and a photo costs nothing. Parsing a card and importing it is ``contacts``'s job.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from functools import partial
from itertools import chain
from typing import AnyStr, BinaryIO

ANNIVERSARY_NAMES = ("ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY",
                     "X-EVOLUTION-ANNIVERSARY")  # fmt: skip
_CHARSET = re.compile(rb"^[^:]*;CHARSET=([^;:]+)", re.IGNORECASE)
# Only CR and LF end a vCard line; str.splitlines() also splits on U+2028, form feed and
# others that turn up inside pasted NOTE text.
LINE_END = re.compile(r"\r\n|\r|\n")
MAX_CARD_CHARS = 256 * 1024
"""A card whose ``USED`` properties take more text than this is skipped: vobject's parse costs
~140 bytes of memory per character of a card, so this bounds it (~36 MB)."""
USED = frozenset({"BEGIN", "END", "VERSION", "FN", "N", "UID", "BDAY", *ANNIVERSARY_NAMES,
                  "X-ABDATE", "X-ABLABEL"})
"""The properties read from a card; the others (PHOTO, NOTE, ADR…) are dropped before parsing."""
_PROPERTY = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")  # item1.X-ABDATE;… → X-ABDATE
_CHUNK = 1 << 16
_LINE_LIMIT = 4 * MAX_CARD_CHARS + 8
"""A longer line (in bytes, or characters for UTF-16) is cut to this: still over the card cap
once decoded (4 bytes at most per character), so a cut line is either dropped (a photo) or
takes its card over the cap, and is never parsed."""
_SPLIT_CHARACTER = re.compile(rb"[ \t][\x80-\xbf]")
_BYTE_LINE_END = re.compile(rb"\r\n|\r|\n")


class VcardLines:
    """The decoded lines of a vCard file, read from ``stream`` in 64 KiB chunks as they are
    iterated, in the encodings exporters write (see the module docstring).

    ``encoding`` names how the lines read so far were decoded; final once they are all read.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.encoding = "UTF-8"

    def __iter__(self) -> Iterator[str]:
        first = self._stream.read(_CHUNK)
        rest = iter(partial(self._stream.read, _CHUNK), b"")
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "UTF-16"
            decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
            text = (decoder.decode(chunk, final=not chunk) for chunk in chain([first], rest, [b""]))
            yield from _split_lines(text, LINE_END, "\r", "\n")
            return
        chunks = chain([first.removeprefix(codecs.BOM_UTF8)], rest)
        for line in _join_split_characters(_split_lines(chunks, _BYTE_LINE_END, b"\r", b"\n")):
            if len(line) >= _LINE_LIMIT:  # cut, maybe inside a character: never parsed anyway
                yield line.decode("utf-8", errors="replace")
                continue
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                # Line by line: a file joined from several exports may be UTF-8 in parts.
                self.encoding = "Windows-1252"
                yield _decode_line(line)


def _split_lines(chunks: Iterable[AnyStr], line_end: re.Pattern[AnyStr], cr: AnyStr,
                 lf: AnyStr) -> Iterator[AnyStr]:
    """The lines in ``chunks`` without their ends (only CR and LF end a vCard line; see
    ``LINE_END``), each cut to ``_LINE_LIMIT``: an endless line costs no more memory."""
    head = cr[:0]  # the line being read, up to the chunk that ends it
    after_cr = False
    for chunk in chunks:
        if not chunk:  # a decoder's empty piece: it must not forget a CR at the end of the last
            continue
        if after_cr and chunk[:1] == lf:  # a CR LF cut in two by the chunks
            chunk = chunk[1:]
        after_cr = chunk[-1:] == cr
        pieces: list[AnyStr] = line_end.split(chunk)
        for piece in pieces[:-1]:
            yield head + piece[:_LINE_LIMIT - len(head)] if len(head) < _LINE_LIMIT else head
            head = cr[:0]
        if len(head) < _LINE_LIMIT:
            head = (head + pieces[-1])[:_LINE_LIMIT]
    if head:
        yield head


def _join_split_characters(lines: Iterable[bytes]) -> Iterator[bytes]:
    """``lines`` with each fold that cut a UTF-8 character in two joined back (some exporters
    fold at 75 octets without looking); else the whole file would read as Windows-1252."""
    previous: bytes | None = None
    for line in lines:
        if previous is not None and _SPLIT_CHARACTER.match(line):
            previous = (previous + line[1:])[:_LINE_LIMIT]
            continue
        if previous is not None:
            yield previous
        previous = line
    if previous is not None:
        yield previous


def _decode_line(line: bytes) -> str:
    """A line that is not UTF-8: in its own ``CHARSET=``, else Windows-1252 (old Outlook)."""
    if match := _CHARSET.match(line):
        with suppress(LookupError, UnicodeDecodeError):  # a charset Python does not know
            return line.decode(match.group(1).strip(b'" ').decode("ascii"))
    return line.decode("cp1252", errors="replace")  # 5 bytes cp1252 leaves undefined


def split_cards(lines: Iterable[str]) -> Iterator[str | None]:
    """The text of each card (BEGIN:VCARD … END:VCARD) in ``lines``, one at a time, without its
    properties not ``USED``; None for a card whose text is still over ``MAX_CARD_CHARS``."""
    current: list[str] | None = None
    size = 0  # of the current card, in characters
    soft_break = False
    leaving_out = False  # in an unused property: its folded and soft-broken lines go too
    for line in lines:
        if soft_break and current is not None:
            # vCard 2.1 quoted-printable: "=" at the end of a line is a soft line break and the
            # next line carries on the value with no leading space. Joined here, since vobject
            # would take it for a new property; its own allowQP is quadratic in a card's size.
            if current and not leaving_out:
                current[-1] = current[-1][:-1] + line
                size += len(line)
                if size > MAX_CARD_CHARS:
                    current.clear()
            soft_break = line.endswith("=")
            continue
        soft_break = line.endswith("=") and "QUOTED-PRINTABLE" in line.upper()
        # No strip() on the left: a line starting with a space or tab is a folded piece of the
        # line before (e.g. a NOTE that ends in "END:VCARD").
        # A line naming no property stays with the one before: kept, it lets vobject refuse a
        # broken card; dropped, it is e.g. the unindented base64 of a vCard 2.1 photo.
        if line[:1] not in (" ", "\t") and (name := _PROPERTY.match(line)) is not None:
            leaving_out = name[1].upper() not in USED
        keyword = line.rstrip().upper()
        if keyword == "BEGIN:VCARD":
            current, size = [line], len(line)
        elif current is not None and not leaving_out:
            size += len(line) + 2
            if size <= MAX_CARD_CHARS:
                current.append(line)
            elif current:
                current.clear()  # over the cap: its text goes now, the card at its end
            if keyword == "END:VCARD":
                yield "\r\n".join(current) + "\r\n" if size <= MAX_CARD_CHARS else None
                current = None
    if current is not None:  # a last card cut off before END:VCARD
        yield "\r\n".join(current) + "\r\n" if size <= MAX_CARD_CHARS else None


def without_mark(lines: Iterable[str]) -> Iterator[str]:
    """``lines`` with no byte-order mark on the first: read as text, it would hide the first
    BEGIN:VCARD, and with it a card."""
    it = iter(lines)
    for first in it:
        yield first.removeprefix("\ufeff")
        break
    yield from it
