"""Files shaped as real exporters write them (#17 §1): one fixture per class of trouble, each
asserting the names and dates recovered and every line skipped; and a property test that no
garbage line costs a valid card anything."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilekeeper.contacts import import_vcard, read_contacts
from tests.conftest import PASSPHRASE, run_main
from tests.reminders.test_contacts import FIXTURES, dates_by_name, said


def imported(vault, name: str):
    with (FIXTURES / name).open("rb") as stream:
        report = import_vcard(vault, stream)
    return report, dates_by_name(vault)


def test_an_address_continued_without_the_folding_space(vault):
    # Outlook and Thunderbird write an address's and a note's line breaks as they are.
    report, found = imported(vault, "unfolded-address.vcf")
    assert said(report) == []
    assert found == {
        "Ngozi Okafor": {("birthday", "1983-09-30", ""), ("anniversary", "2011-05-21", "")},
        "Tomás Ruiz": {("birthday", "--01-18", "")},
    }


def test_property_names_outside_the_grammar(vault):
    report, found = imported(vault, "messaging-names.vcf")
    assert said(report) == [
        f"line {n}: {name}: its name has characters vCard does not allow; skipped"
        for n, name in ((5, "X-AIM/ICQ"), (6, "IM/Skype"), (7, "X-JABBER@HOME"),
                        (15, "X-QQ/WECHAT"))]
    assert not any("mei" in m.lower() or "arjun" in m.lower() for m in said(report))  # no values
    assert found == {"Mei Chen": {("birthday", "1988-12-01", "")},
                     "Arjun Singh": {("birthday", "1975-06-06", "")}}


def test_a_long_photo_with_no_folding_indentation(vault):
    report, found = imported(vault, "photo-unindented.vcf")
    assert said(report) == []
    assert found == {"Lina Berg": {("birthday", "1991-04-17", "")},
                     "Omar Haddad": {("birthday", "--10-09", "")}}


def test_quoted_printable_soft_line_breaks_in_names_and_events(vault):
    report, found = imported(vault, "qp-soft-breaks.vcf")
    assert said(report) == []
    assert found == {
        "Françoise Grünwald-Schönberg": {("birthday", "1972-08-08", "")},  # bare ;QUOTED-…
        "花子 山田": {("anniversary", "1999-07-07", "")},  # N only, its parts in reading order
    }


def test_names_from_fn_unescaped_and_from_n_only_without_fn(vault):
    report, found = imported(vault, "names.vcf")
    assert said(report) == []
    assert found == {
        "Dr. Jo Doe, Jr.": {("birthday", "1960-02-02", "")},  # not cut at the comma
        "Kai Nakamura-Smith": {("birthday", "--03-03", "")},  # FN wins over N
        "Prof. Anna Maria van der Berg PhD": {("birthday", "--04-04", "")},  # 4.0: no FN
        "Rosa Lopez": {("birthday", "--05-05", "")},  # an empty FN
        "Smith; Jones\\Co": set(),
    }


def test_every_anniversary_field_and_androids_events(vault):
    report, found = imported(vault, "anniversaries.vcf")
    assert said(report) == []
    assert found == {
        "Vcard Four": {("anniversary", "2005-01-01", "")},
        "Thunderbird User": {("anniversary", "2006-02-02", "")},
        "Outlook User": {("anniversary", "2007-03-03", "")},
        "Evolution User": {("anniversary", "2008-04-04", "")},
        "KAddressBook User": {("anniversary", "2009-05-05", "")},
        "Apple User": {("anniversary", "2010-06-06", ""), ("other", "2015-01-09", "")},
        "Android User": {("anniversary", "2011-07-07", ""), ("birthday", "1980-08-08", ""),
                         ("other", "--09-09", "Name day")},  # a nickname row is no event
    }


def test_dates_without_a_year(vault):
    report, found = imported(vault, "yearless.vcf")
    assert said(report) == []
    assert found == {
        "Basic Form": {("birthday", "--03-15", "")},
        "Extended Form": {("birthday", "--03-16", "")},
        "Apple Placeholder": {("birthday", "--03-17", "")},
        "Apple Omit Year": {("birthday", "--03-18", ""), ("anniversary", "--10-01", "")},
        "Leap Day": {("birthday", "--02-29", "")},
    }


@pytest.mark.parametrize(("name", "encoding"), [("utf16be-nobom.vcf", "UTF-16BE"),
                                                ("utf16le-nobom.vcf", "UTF-16LE"),
                                                ("windows-utf16le-bom.vcf", "UTF-16")])
def test_utf16_with_and_without_a_byte_order_mark(vault, name, encoding):
    report, found = imported(vault, name)
    assert (report.encoding, said(report)) == (encoding, [])
    assert found == {"Zoë Brontë-Żak": {("birthday", "1991-12-05", "")},
                     "李小龍": {("birthday", "--11-27", "")}}


def test_latin_1_without_a_charset(vault):
    report, found = imported(vault, "latin1-thunderbird.vcf")
    assert (report.encoding, said(report)) == ("Windows-1252", [])
    assert found == {"Søren Kierkegård": {("birthday", "1963-05-05", "")},
                     "Inès Müller": {("birthday", "--12-12", "")}}


def test_shift_jis_from_a_japanese_phone_with_and_without_charset(vault):
    report, found = imported(vault, "shift-jis-phone.vcf")
    assert (report.encoding, said(report)) == ("Shift-JIS", [])
    assert found == {"山田 太郎": {("birthday", "1980-01-01", "")},
                     "佐藤 花子": {("birthday", "--07-07", "")},
                     "すずき はるな①": {("birthday", "2001-02-03", "")}}


def test_latin_letters_are_not_taken_for_shift_jis():
    from profilekeeper.vcard_stream import decode_bytes

    for text in ("Amélie Dubois", "Jäger", "Šárka Žáková", "Päivi", "Åsa", "Ørsted €5"):
        assert decode_bytes(text.encode("cp1252")) == (text, "Windows-1252")


BROKEN_LINES = [
    "this line has no colon",
    "X-AIM/ICQ:someone",
    "ADR;TYPE=\"unclosed:;;street",
    "FN;X=\"unclosed:someone",
    "BDAY:not a date",
    "item9.X-ABDATE:2001-13-40",
    "PHOTO;ENCODING=b:" + "QUJD" * 100_000,
    ":no name at all",
    "N;CHARSET=NO-SUCH-CHARSET;ENCODING=QUOTED-PRINTABLE:=ZZ=C3",
    "FN;ENCODING=BASE64:!!not base64!!",
]  # (a folded line, or a quoted-printable one ending in "=", carries on its neighbour: RFC)


@pytest.mark.parametrize("broken", BROKEN_LINES, ids=range(len(BROKEN_LINES)))
@pytest.mark.parametrize("where", [3, 5, 6], ids=["after FN", "after BDAY", "before END"])
def test_a_card_with_one_broken_line_keeps_its_name_and_dates(broken, where):
    lines = ["BEGIN:VCARD", "VERSION:3.0", "FN:Ines Costa", "UID:ic-1", "BDAY:1987-03-15",
             "X-ANNIVERSARY:2012-09-09", "END:VCARD"]
    lines.insert(where, broken)
    contacts, skipped = read_contacts("\r\n".join(lines) + "\r\n")
    [contact] = contacts
    assert (contact.name, contact.uid) == ("Ines Costa", "ic-1")
    assert {(d.kind, str(d.date)) for d in contact.dates} == {("birthday", "1987-03-15"),
                                                              ("anniversary", "2012-09-09")}
    assert all(f"line {where + 1}" in m for m in skipped)  # only the broken line, by number
    assert not any("someone" in m or "street" in m or "not a date" in m for m in skipped)


_USED = re.compile(r"(?i)^(?:[\w-]+\.)?(?:BEGIN|END|FN|N|UID|BDAY|X-ABDATE|X-ABLABEL|"
                   r"X-ANDROID-CUSTOM|[\w-]*ANNIVERSARY)[;:]")


def _garbage_line(line: str) -> bool:
    """A line that is none of a card's own: no fold (it would carry on the line before), no
    property the card's name or dates are read from, no quoted-printable soft break (which
    would swallow the next line, as vCard 2.1 says it must)."""
    return (not line[:1].isspace() and not _USED.match(line)
            and "QUOTED-PRINTABLE" not in line.upper())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage=st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n"),
                                max_size=80).filter(_garbage_line), max_size=8),
       positions=st.lists(st.integers(min_value=1, max_value=6), min_size=8, max_size=8))
def test_garbage_lines_never_cost_a_valid_card_and_never_raise(garbage, positions):
    lines = ["BEGIN:VCARD", "VERSION:3.0", "FN:Dr. Jo Doe\\, Jr.", "UID:jo-1",
             "BDAY:--0315", "item1.X-ABDATE:2010-06-12", "item1.X-ABLabel:_$!<Anniversary>!$_",
             "END:VCARD"]
    for line, at in zip(garbage, positions, strict=False):
        lines.insert(at, line)
    text = "\r\n".join(lines) + "\r\n" + "BEGIN:VCARD\r\nFN:Next\r\nEND:VCARD\r\n"
    contacts, skipped = read_contacts(text)
    assert [c.name for c in contacts][:1] == ["Dr. Jo Doe, Jr."] and contacts[-1].name == "Next"
    first = contacts[0]
    assert first.uid == "jo-1"
    assert {(d.kind, str(d.date)) for d in first.dates} == {("birthday", "--03-15"),
                                                            ("anniversary", "2010-06-12")}
    # The same bytes through the file reader (encodings, chunks) never raise either.
    with io.BytesIO(text.encode("utf-8", errors="surrogatepass")) as stream:
        from profilekeeper.contacts import iter_contacts
        from profilekeeper.vcard_stream import VcardLines

        assert any(c.name == "Next" for c in iter_contacts(VcardLines(stream), []))


def test_cli_reports_each_file_and_json_names_every_skipped_line(vault, tmp_path, fast_kdf):
    vault.close()
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    files = [str(FIXTURES / "messaging-names.vcf"), str(FIXTURES / "broken-middle.vcf")]
    text = run_main("import-contacts", *files, env=env)
    assert text.code == 0, text.err
    assert text.out.splitlines() == [
        f"{files[0]}: Imported contacts: 2 people added, 0 matched; 2 dates added, 0 updated; "
        "4 line(s) or card(s) skipped.",
        f"{files[1]}: Imported contacts: 4 people added, 0 matched; 3 dates added, 0 updated; "
        "3 line(s) or card(s) skipped."]
    assert (f"profilekeeper: {files[0]}: skipped line 5: X-AIM/ICQ: its name has characters "
            "vCard does not allow; skipped") in text.err.splitlines()
    result = run_main("import-contacts", "--json", files[1], env=env)
    import json

    [report] = json.loads(result.out)["imports"]
    assert (report["people_added"], report["people_matched"]) == (0, 4)
    assert report["skipped"] == [
        {"file": None, "card": None, "line": 9, "property": None,
         "reason": "not a property (no name and colon); skipped"},
        {"file": None, "card": None, "line": 15, "property": "BDAY",
         "reason": "a date that does not exist in the calendar; left out"},
        {"file": None, "card": 4, "line": 17, "property": None,
         "reason": "it has no name; skipped"}]


def test_every_fixture_imports_with_no_card_lost(vault):
    # Each fixture's cards all give a person (but broken-middle's one with no name).
    for path in sorted(Path(FIXTURES).glob("*.vcf")):
        with path.open("rb") as stream:
            report = import_vcard(vault, stream)
        cards = path.read_bytes().decode("latin-1").replace("\x00", "").upper().count("BEGIN:VCARD")
        assert report.added + report.updated + len(report.merged) == cards - (
            path.name == "broken-middle.vcf"), path.name


_TEXT_FIXTURES = [p for p in sorted(FIXTURES.glob("*.vcf"))
                  if "utf16" not in p.name and "photo" not in p.name]


@settings(max_examples=200, deadline=None)
@given(fixture=st.sampled_from(_TEXT_FIXTURES), at=st.integers(min_value=0),
       garbage=st.lists(st.binary(max_size=40) | st.sampled_from(
           [b";CHARSET=\x00", b";CHARSET=rot13", b"=", b"\r\n", b" ", b";QUOTED-PRINTABLE:",
            b";ENCODING=b:", b'"', b":", b"\\", b"\xe9", b"\x82\xa0"]), max_size=12))
def test_random_bytes_anywhere_in_a_file_never_raise(fixture, at, garbage):
    data = bytearray(fixture.read_bytes())
    for piece in garbage:
        where = at % (len(data) + 1)
        data[where:where] = piece
        at = at * 31 + 7
    data += b"\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Next\r\nEND:VCARD\r\n"
    from profilekeeper.contacts import iter_contacts
    from profilekeeper.vcard_stream import VcardLines

    skipped: list = []
    names = [c.name for c in iter_contacts(VcardLines(io.BytesIO(bytes(data))), skipped)]
    assert names[-1] == "Next"
    assert all(isinstance(str(s), str) for s in skipped)
