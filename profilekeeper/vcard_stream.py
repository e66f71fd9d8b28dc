"""Reading a vCard file as a stream: bytes → decoded lines, one per line of the file.

``VcardLines`` reads a file in 64 KiB chunks and yields its lines as text, exactly one for each
line of the file (so a message can name a line number), in the encodings exporters write:

- UTF-16 with a byte-order mark (Windows "Unicode"), or without one, told big- from
  little-endian by where the NUL bytes of the ASCII property names fall;
- else each line on its own (a file joined from several exports may change encoding half-way):
  valid UTF-8 first (a leading BOM dropped); else the line's own ``CHARSET=`` (vCard 2.1);
  else Shift-JIS when the line reads as Japanese in it, else Windows-1252 (a superset of the
  printable Latin-1) — see ``decode_bytes``.

Parsing the lines into cards is ``vcard_parse``'s job.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from functools import partial
from itertools import chain
from typing import AnyStr, BinaryIO

# Only CR and LF end a vCard line; str.splitlines() also splits on U+2028, form feed and
# others that turn up inside pasted NOTE text.
LINE_END = re.compile(r"\r\n|\r|\n")
MAX_CARD_CHARS = 256 * 1024
"""The most text of the properties read that one card may keep (see ``vcard_parse``)."""
_CHARSET = re.compile(rb"^[^:]*;CHARSET=([^;:]+)", re.IGNORECASE)
_CHUNK = 1 << 16
_LINE_LIMIT = 4 * MAX_CARD_CHARS + 8
"""A longer line (in bytes, or characters for UTF-16) is cut to this: still over the card cap
once decoded (4 bytes at most per character), so a cut line is never used (a photo)."""
_SPLIT_CHARACTER = re.compile(rb"[ \t]([\x80-\xbf]{1,3})")
_BYTE_LINE_END = re.compile(rb"\r\n|\r|\n")
_JA = "\u2460-\u24ff\u3000-\u30ff\u31f0-\u32ff\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f"
"""What Shift-JIS text holds besides ASCII: circled numbers, kana, kanji, full/half width forms."""
_JAPANESE = re.compile(f"[{_JA}]")
_OTHER_NON_ASCII = re.compile(f"[^\x00-\x7f{_JA}]")
_GLUED = re.compile(f"[A-Za-z][{_JA}]|[{_JA}][A-Za-z]")
_NAMES = {"cp1252": "Windows-1252", "cp932": "Shift-JIS", "utf-8": "UTF-8"}


class VcardLines:
    """The decoded lines of a vCard file, read from ``stream`` in 64 KiB chunks as they are
    iterated (see the module docstring).

    ``encoding`` names how the lines read so far were decoded (the first encoding other than
    UTF-8 that a line needed); final once they are all read.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.encoding = "UTF-8"

    def __iter__(self) -> Iterator[str]:
        first = self._stream.read(max(_CHUNK, 4096))  # enough to tell UTF-16 by its NULs
        rest = iter(partial(self._stream.read, _CHUNK), b"")
        if (utf16 := _utf16(first)) is not None:
            self.encoding, codec = utf16
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            pieces = (decoder.decode(chunk, final=not chunk)
                      for chunk in chain([first], rest, [b""]))
            yield from _split_lines(pieces, LINE_END, "\r", "\n")
            return
        chunks = chain([first.removeprefix(codecs.BOM_UTF8)], rest)
        for line in _mend_split_characters(_split_lines(chunks, _BYTE_LINE_END, b"\r", b"\n")):
            if len(line) >= _LINE_LIMIT:  # cut, maybe inside a character: never used anyway
                yield line.decode("utf-8", errors="replace")
                continue
            match = _CHARSET.match(line)
            text, used = decode_bytes(line, match.group(1).decode("ascii", "replace")
                                      if match else None)  # fmt: skip
            if used != "UTF-8" and self.encoding == "UTF-8":
                self.encoding = used
            yield text


def _utf16(first: bytes) -> tuple[str, str] | None:
    """How to read a file starting with ``first`` as UTF-16, or None if it is not UTF-16.

    Without a byte-order mark: a vCard's property names and punctuation are ASCII, so in UTF-16
    every other byte is NUL, the odd ones in little-endian, the even ones in big-endian.
    """
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16", "utf-16"
    sample = first[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.5 and even < half * 0.05:
        return "UTF-16LE", "utf-16-le"
    if even > half * 0.5 and odd < half * 0.05:
        return "UTF-16BE", "utf-16-be"
    return None


def decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """``data`` as text, and the name of the encoding used: UTF-8 if it is valid UTF-8; else
    ``charset`` (a vCard 2.1 ``CHARSET=``) if Python knows it; else Shift-JIS if the bytes
    read as Japanese in it (kana or kanji, none glued to a Latin letter as an accented letter
    of Windows-1252 read as Shift-JIS would be); else Windows-1252."""
    with suppress(UnicodeDecodeError):
        return data.decode("utf-8"), "UTF-8"
    if charset:
        name = charset.strip('" ')
        with suppress(LookupError, ValueError):  # unknown, not text, or no name at all ("\0")
            codec = codecs.lookup(name).name
            codec = "cp932" if codec in ("shift_jis", "ms932") else codec  # phones write cp932
            return data.decode(codec), _NAMES.get(codec, name)
    with suppress(UnicodeDecodeError):
        text = data.decode("cp932")
        if _JAPANESE.search(text) and not _OTHER_NON_ASCII.search(text) \
                and not _GLUED.search(text):  # fmt: skip
            return text, "Shift-JIS"
    return data.decode("cp1252", errors="replace"), "Windows-1252"  # 5 bytes it leaves undefined


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


def _mend_split_characters(lines: Iterable[bytes]) -> Iterator[bytes]:
    """``lines`` with each UTF-8 character that a fold cut in two (some exporters fold at 75
    octets without looking) moved whole onto the line before; else both lines would read as
    Windows-1252. Unfolding joins them as before, and the file keeps its number of lines."""
    previous: bytes | None = None
    for line in lines:
        if previous is not None and (split := _SPLIT_CHARACTER.match(line)):
            previous += split.group(1)
            line = line[:1] + line[split.end():]
        if previous is not None:
            yield previous
        previous = line
    if previous is not None:
        yield previous


def without_mark(lines: Iterable[str]) -> Iterator[str]:
    """``lines`` with no byte-order mark on the first: read as text, it would hide the first
    BEGIN:VCARD, and with it a card."""
    it = iter(lines)
    for first in it:
        yield first.removeprefix("\ufeff")
        break
    yield from it
