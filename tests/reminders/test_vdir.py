"""``export --format vdir`` and ``import-contacts DIR``: a folder of .vcf files that khard and
khal read (both run here for real: Debian packages ``khard`` and ``khal``)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from profilekeeper import services
from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion, Person
from profilekeeper.services.people import add_person, remove_person
from profilekeeper.store.vault import Vault
from tests.conftest import FAST_KDF, PASSPHRASE, run_main
from tests.reminders.test_contacts import dates_by_name

REQUIRE_ENV = "PROFILEKEEPER_REQUIRE_KHAL"


def people(vault) -> None:
    """Names that need escaping, years known and not, 29 February, a labelled date, a one-off."""
    add_person(vault, Person("Dr. Jo Doe, Jr.", "colleague", contact_uid="urn:uuid:4fbe-8971"),
               [Occasion("birthday", 3, 15, 1985), Occasion("anniversary", 6, 12, 2010)])
    add_person(vault, Person("Ann Lee; Åsa", "sister"),
               [Occasion("birthday", 7, 4), Occasion("other", 11, 2, label="Name day")])
    add_person(vault, Person("Leap Known", "friend"), [Occasion("birthday", 2, 29, 1988)])
    add_person(vault, Person("Leap Unknown"), [Occasion("birthday", 2, 29),
                                               Occasion("graduation", 9, 1, 2020, yearly=False)])
    add_person(vault, Person("No Dates"))


def test_one_private_card_per_person_in_a_private_folder(vault, tmp_path):
    people(vault)
    folder = tmp_path / "gifts"
    assert services.export_vdir(vault, str(folder)) == (5, 0, 0)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert len(files) == 5 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    cards = {f.name: f.read_bytes().decode() for f in files}
    jo = cards[next(n for n, t in cards.items() if "Jo Doe" in t)]
    assert jo.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//profilekeeper//vdir export//EN")
    assert "UID:urn:uuid:4fbe-8971\r\nFN:Dr. Jo Doe\\, Jr.\r\nBDAY:19850315\r\n" in jo
    assert "ANNIVERSARY:20100612\r\nEND:VCARD\r\n" in jo
    ann = next(t for t in cards.values() if "Ann Lee" in t)
    assert "FN:Ann Lee\\; Åsa\r\nBDAY:--0704\r\n" in ann
    assert "item1.X-ABDATE:--1102\r\nitem1.X-ABLabel:Name day\r\n" in ann
    unknown = next(t for t in cards.values() if "Leap Unknown" in t)
    assert "BDAY:--0229" in unknown and "graduation" not in unknown  # a one-off: not yearly
    ann_id = next(p.id for p in vault.list(Person) if p.name.startswith("Ann"))
    assert f"{ann_id}@profilekeeper.vcf" in cards  # no contact UID: one derived from the id
    assert all(len(line.encode()) <= 75 for t in cards.values() for line in t.split("\r\n"))


def test_round_trip_and_reimport_never_duplicates(vault, tmp_path):
    people(vault)
    folder = tmp_path / "vdir"
    services.export_vdir(vault, str(folder))
    before = {n: d for n, d in dates_by_name(vault).items()}
    before["Leap Unknown"] = {("birthday", "--02-29", "")}  # the one-off graduation stays home
    other = Vault.create(tmp_path / "other.sqlite3", PASSPHRASE, kdf=FAST_KDF)
    try:
        first = services.import_contacts_report(other, str(folder))
        assert (first.added, first.files, list(first.skipped)) == (5, 5, [])
        assert dates_by_name(other) == before
        again = services.import_contacts_report(other, str(folder))
        assert (again.added, again.updated, again.occasions_added) == (0, 5, 0)
        assert other.count(Person) == 5
    finally:
        other.close()
    # Into the vault it came from: matched by UID, the derived ones by the person's id.
    back = services.import_contacts_report(vault, str(folder))
    assert (back.added, back.updated, back.occasions_added, back.occasions_updated) == (0, 5, 0, 0)


def test_names_off_leaves_out_names_years_labels_and_contact_uids(vault, tmp_path):
    people(vault)
    folder = tmp_path / "shared"
    services.export_vdir(vault, str(folder), names=False)
    text = "".join(f.read_bytes().decode() for f in folder.iterdir())
    for secret in ("Jo", "Doe", "Ann", "Åsa", "Leap", "1985", "2010", "1988", "Name day",
                   "4fbe"):
        assert secret not in text
    names = sorted(line for line in text.split("\r\n") if line.startswith("FN:"))
    assert names == ["FN:Colleague (D. J. D. J.)", "FN:Contact (L. U.)", "FN:Contact (N. D.)",
                     "FN:Friend (L. K.)", "FN:Sister (A. L. Å.)"]
    assert "BDAY:--0315" in text and "item1.X-ABLabel:date" in text


def test_a_second_export_replaces_its_own_cards_and_never_another_programs(vault, tmp_path):
    people(vault)
    folder = tmp_path / "vdir"
    services.export_vdir(vault, str(folder))
    (folder / "displayname").write_text("gifts")  # vdirsyncer's metadata: left alone
    (folder / "theirs.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Theirs\r\nEND:VCARD\r\n")
    remove_person(vault, "No Dates")
    assert services.export_vdir(vault, str(folder)) == (4, 1, 0)  # the deleted one's file goes
    assert {"displayname", "theirs.vcf"} <= {p.name for p in folder.iterdir()}
    assert len(list(folder.glob("*.vcf"))) == 5
    # A card something else wrote under a name the export would use is never written over.
    jo = next(p for p in folder.glob("*.vcf") if "Jo Doe" in p.read_text())
    jo.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Edited in khard\r\nEND:VCARD\r\n")
    with pytest.raises(InvalidInput, match="holds 1 card"):
        services.export_vdir(vault, str(folder))
    assert "Edited in khard" in jo.read_text()


def test_a_vdir_as_vdirsyncer_leaves_it(vault, tmp_path):
    folder = tmp_path / "contacts"
    (folder / "sub").mkdir(parents=True)
    (folder / "color").write_text("#ff0000")
    (folder / "sub" / "nested.vcf").write_text("BEGIN:VCARD\r\nFN:Nested\r\nEND:VCARD\r\n")
    (folder / ".hidden.vcf").write_text("BEGIN:VCARD\r\nFN:Hidden\r\nEND:VCARD\r\n")
    (folder / "a.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:Ann\r\n"
                                  "BDAY:1990-01-02\r\nX-AIM/ICQ:ann99\r\nEND:VCARD\r\n")
    (folder / "b.vcf").write_bytes("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:b\r\nFN:Bø\r\n"
                                   "BDAY:--0304\r\nEND:VCARD\r\n".encode("utf-16-le"))
    report = services.import_contacts_report(vault, str(folder))
    assert [str(s) for s in report.skipped] == [
        "a.vcf: line 6: X-AIM/ICQ: its name has characters vCard does not allow; skipped"]
    assert report.files == 2 and report.encoding == "UTF-16LE"
    assert dates_by_name(vault) == {"Ann": {("birthday", "1990-01-02", "")},
                                    "Bø": {("birthday", "--03-04", "")}}
    (folder / "a.vcf").write_text((folder / "a.vcf").read_text().replace("1990-01-02",
                                                                          "1990-01-03"))
    again = services.import_contacts_report(vault, str(folder))
    assert (again.added, again.updated, again.occasions_updated) == (0, 2, 1)


def test_cli_export_and_import_a_vdir(vault, tmp_path, fast_kdf):
    people(vault)
    vault.close()
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    folder = tmp_path / "out"
    done = run_main("export", "--format", "vdir", str(folder), env=env)
    assert done.code == 0, done.err
    assert f"wrote 5 card(s) to {folder}" in done.err
    off = run_main("export", "--format", "vdir", "--names-off", str(tmp_path / "off"), env=env)
    shared = "".join(p.read_text() for p in (tmp_path / "off").iterdir())
    assert off.code == 0 and "Jo" not in shared and "FN:Colleague (D. J. D. J.)" in shared
    missing = run_main("export", "--format", "vdir", env=env)
    assert missing.code == 2 and "needs a folder" in missing.err
    result = run_main("import-contacts", "--json", str(folder), env=env)
    assert result.code == 0, result.err
    [report] = json.loads(result.out)["imports"]
    assert report["path"] == str(folder)
    assert (report["people_added"], report["people_matched"], report["vcf_files"]) == (0, 5, 5)


# -- khal and khard themselves ---------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{name} is not installed and {REQUIRE_ENV} is set (apt install {name})")
        pytest.skip(f"{name} is not installed (Debian package {name})")
    return path


def _run(tool: str, *args: str, home: Path) -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    done = subprocess.run([tool, *args], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_khal_lists_each_birthday_on_its_day(vault, tmp_path):
    khal = _tool("khal")
    people(vault)
    folder = tmp_path / "vdir"
    services.export_vdir(vault, str(folder))
    config = tmp_path / "khal.conf"
    config.write_text(f"""[calendars]
[[gifts]]
path = {folder}
type = birthdays
[locale]
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
timeformat = %H:%M
[sqlite]
path = {tmp_path / "khal.db"}
""")
    out = _run(khal, "-c", str(config), "list", "--format", "{start-date} {title}",
               "--day-format", "", "2027-01-01", "365d", home=tmp_path)
    events = sorted(line for line in out.splitlines() if line.strip())
    assert events == [
        "2027-03-01 Leap Known's 39th birthday (29th of Feb.)",  # 1 March in a common year
        "2027-03-15 Dr. Jo Doe, Jr.'s 42nd birthday",
        "2027-06-12 Dr. Jo Doe, Jr.'s 17th anniversary",
        "2027-07-04 Ann Lee; Åsa's birthday",
        "2027-11-02 Ann Lee; Åsa's Name day",
    ]  # khal 0.10 reads a year-less date in 1900, which has no 29 February: Leap Unknown


def test_khard_lists_the_contacts_and_their_birthdays(vault, tmp_path):
    khard = _tool("khard")
    people(vault)
    folder = tmp_path / "vdir"
    services.export_vdir(vault, str(folder))
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[gifts]]\npath = {folder}\n")
    listed = _run(khard, "-c", str(config), "list", "--parsable", home=tmp_path)
    assert sorted(line.split("\t")[1] for line in listed.splitlines()) == [
        "Ann Lee; Åsa", "Dr. Jo Doe, Jr.", "Leap Known", "Leap Unknown", "No Dates"]
    birthdays = _run(khard, "-c", str(config), "birthdays", "--parsable", home=tmp_path)
    assert sorted(birthdays.splitlines()) == [
        "1900.07.04\tAnn Lee; Åsa",  # khard's way of saying "year unknown"
        "1985.03.15\tDr. Jo Doe, Jr.", "1988.02.29\tLeap Known"]
