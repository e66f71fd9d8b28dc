"""vCard import benchmark: peak memory and time for a 50 MB .vcf, against the readers before.

Builds a file of ordinary cards shaped like real exports (name, organisation, two e-mails, two
phones, an address, a note, a birthday, an anniversary, an Apple labelled date) with a few big
photos among them, then imports it into a fresh vault in a child process per run and records
the child's peak resident memory (``ru_maxrss``) and wall time. The old code (the reader before
issue #20, taken from git) runs on the same file, and so does the reading alone (no vault), so
what the people imported cost is told apart from what reading costs. The new import also runs
on a quarter and a half of the file, to show time grows linearly. Times are CPU seconds of the
child (wall time swings with the other work on a shared machine). The streamed reader that
parsed each card with vobject (#20, replaced by vcard_parse.py's own line parser in #17) runs on
the same file too ("vobject_streamed_*").

What to expect (results/contacts.json): reading takes a constant ~0.3 MB however big the file;
the import grows with the people it brings, ~5 KB each with three dates — the records it holds
until its one transaction commits, and the store resealing its date index from every occasion
at commit — not with the file's bytes (photos cost nothing). The old reader held ~11 bytes per
input byte here, and ~140 per byte of its biggest card (one 4 MB photo card: ~580 MB).

    .venv/bin/python benchmarks/bench_contacts.py     # prints figures, writes results/contacts.json
    .venv/bin/python benchmarks/bench_contacts.py --mb 10 --no-old   # a quicker look
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import summary_row, write_results

OLD_REVISION = "988f2b1"
"""main just before the streamed import: its contacts.py read the whole file, then every card."""
VOBJECT_REVISION = "b36a40c"
"""main just before vcard_parse.py: streamed, each card parsed by vobject."""
PHOTO_EVERY = 5_000
PHOTO_BYTES = 3_000_000  # of base64, folded at 75 columns as exporters do

CHILD = r"""
import importlib.util, json, resource, sys, tempfile, time
from pathlib import Path

mode, which, vcf = sys.argv[1:4]

def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

if which == "old":
    contacts = load("old_contacts", sys.argv[4])
elif which == "vobject":  # its own vcard_stream, in the place its contacts.py imports it from
    load("profilekeeper.vcard_stream", sys.argv[5])
    contacts = load("vobject_contacts", sys.argv[4])
else:
    from profilekeeper import contacts
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.vault import Vault
if which != "new":
    import vobject  # imported before the baseline, as the import itself would

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

with tempfile.TemporaryDirectory() as tmp:
    vault = Vault.create(Path(tmp) / "v.sqlite3", "benchmark passphrase",
                         kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1))
    vault.list(contacts.Person)
    baseline = rss()
    start, start_cpu = time.perf_counter(), cpu()
    if mode == "read" and which == "old":
        text, _ = contacts.read_vcard_file(Path(vcf))
        people = len(contacts.read_contacts(text)[0])
    elif mode == "read":
        with open(vcf, "rb") as stream:
            people = sum(1 for _ in contacts.iter_contacts(contacts.VcardLines(stream), []))
    elif which == "old":
        people = contacts.import_contacts(vault, *contacts.read_vcard_file(Path(vcf))).added
    else:
        with open(vcf, "rb") as stream:
            people = contacts.import_vcard(vault, stream).added
    elapsed, cpu_s = time.perf_counter() - start, cpu() - start_cpu
    vault.close()
print(json.dumps({"s": elapsed, "cpu": cpu_s, "peak": rss(), "baseline": baseline,
                  "people": people}))
"""


def ordinary_card(n: int, rng: random.Random) -> list[str]:
    year, month, day = rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(1, 28)
    return [
        "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.1//EN",
        f"N:Lindqvist-{n};Åsa;;;", f"FN:Åsa Lindqvist-{n}", "ORG:Example Company AB;",
        f"EMAIL;type=INTERNET;type=HOME;type=pref:asa.{n}@example.org",
        f"EMAIL;type=INTERNET;type=WORK:asa.lindqvist.{n}@company.example",
        f"TEL;type=CELL;type=VOICE;type=pref:+46 70 {n:07d}", "TEL;type=WORK:+46 8 123 45 67",
        "ADR;type=HOME;type=pref:;;Storgatan 1;Uppsala;;753 20;Sweden",
        "NOTE:Met at the conference; likes jazz records and long walks.",
        f"BDAY:{year}-{month:02d}-{day:02d}", f"ANNIVERSARY:{year + 25}-06-{day:02d}",
        "item1.X-ABDATE;type=pref:2015-11-02", "item1.X-ABLabel:_$!<Other>!$_",
        f"UID:{n:08x}-1111-4222-8333-444444444444", "REV:2024-01-15T10:00:00Z",
    ]  # fmt: skip


def write_vcf(path: Path, size: int) -> dict[str, int]:
    """``size`` bytes of cards (a little over), with a photo card every PHOTO_EVERY cards."""
    rng = random.Random(20)
    body = base64.b64encode(rng.randbytes(PHOTO_BYTES * 3 // 4)).decode()
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "\r\n ".join(
        body[i : i + 74] for i in range(0, len(body), 74)
    )
    written = cards = photos = 0
    with path.open("wb") as out:
        while written < size:
            lines = ordinary_card(cards, rng)
            if cards % PHOTO_EVERY == PHOTO_EVERY // 2:
                lines.insert(-2, photo)
                photos += 1
            data = ("\r\n".join([*lines, "END:VCARD"]) + "\r\n").encode()
            out.write(data)
            written, cards = written + len(data), cards + 1
    return {"bytes": written, "cards": cards, "photo_cards": photos}


def old_module(folder: Path, revision: str = OLD_REVISION,
               module: str = "contacts") -> Path | None:
    try:
        source = subprocess.run(
            ["git", "show", f"{revision}:profilekeeper/{module}.py"],
            cwd=Path(__file__).parent,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = folder / f"{module}_{revision}.py"
    path.write_bytes(source)
    return path


def run(mode: str, which: str, vcf: Path, old: Path | None, size: int,
        stream: Path | None = None) -> dict[str, float]:
    args = [sys.executable, "-c", CHILD, mode, which, str(vcf), str(old or ""), str(stream or "")]
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    child = json.loads(result.stdout.splitlines()[-1])
    above = child["peak"] - child["baseline"]
    return {
        "wall_s": round(child["s"], 2),
        "cpu_s": round(child["cpu"], 2),
        "peak_rss_mb": round(child["peak"] / 2**20, 1),
        "rss_above_start_mb": round(above / 2**20, 1),
        "memory_bytes_per_input_byte": round(above / size, 3),
        "mb_per_cpu_s": round(size / 2**20 / child["cpu"], 2),
        "people": child["people"],
        "rss_above_start_kb_per_person": round(above / 1024 / max(child["people"], 1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50, help="size of the file (default 50)")
    parser.add_argument("--no-old", action="store_true", help="skip the old code's runs")
    options = parser.parse_args()
    results: dict[str, object] = {"work": f"import a {options.mb:g} MB .vcf into a new vault"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = None if options.no_old else old_module(folder)
        files = {}
        for share in (0.25, 0.5, 1.0):
            path = folder / f"contacts-{share}.vcf"
            files[share] = (path, write_vcf(path, int(options.mb * 1e6 * share)))
        path, shape = files[1.0]
        results["file"] = shape
        size = shape["bytes"]
        new = run("import", "new", path, None, size)
        results["new_import"] = new
        results["new_read_only"] = results_new_read = run("read", "new", path, None, size)
        if old is not None:
            results["old_import"] = before = run("import", "old", path, old, size)
            results["old_read_only"] = run("read", "old", path, old, size)
            results["ratio_old_to_new_rss_above_start"] = round(
                before["rss_above_start_mb"] / max(new["rss_above_start_mb"], 0.1), 1
            )
            results["ratio_old_to_new_cpu"] = round(before["cpu_s"] / new["cpu_s"], 2)
            vobject_contacts = old_module(folder, VOBJECT_REVISION)
            vobject_stream = old_module(folder, VOBJECT_REVISION, "vcard_stream")
            if vobject_contacts is not None and vobject_stream is not None:
                streamed = run("import", "vobject", path, vobject_contacts, size, vobject_stream)
                read = run("read", "vobject", path, vobject_contacts, size, vobject_stream)
                results["vobject_streamed_import"] = streamed
                results["vobject_streamed_read_only"] = read
                results["ratio_vobject_to_new_read_cpu"] = round(
                    read["cpu_s"] / results_new_read["cpu_s"], 2)
                results["ratio_vobject_to_new_import_cpu"] = round(
                    streamed["cpu_s"] / new["cpu_s"], 2)
        else:
            results["old"] = "not measured (--no-old, or git could not show the old module)"
        scaling = {}
        for share in (0.25, 0.5):
            part, part_shape = files[share]
            scaling[f"{share:g}"] = run("import", "new", part, None, part_shape["bytes"])
        scaling["1"] = new
        results["new_import_by_share_of_file"] = scaling
        quarter = scaling["0.25"]
        results["cpu_ratio_full_to_quarter"] = round(new["cpu_s"] / quarter["cpu_s"], 2)
        results["bytes_ratio_full_to_quarter"] = round(size / files[0.25][1]["bytes"], 2)
        results["goal"] = (
            "reading: memory a small constant (< 2 bytes per input byte); "
            "time roughly linear (CPU ratio near the bytes ratio)"
        )
    results.update(
        python=platform.python_version(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
        load_average_1min=round(os.getloadavg()[0], 2),
        date=time.strftime("%Y-%m-%d"),
    )
    print(json.dumps(results, indent=2))
    command = f"python benchmarks/bench_contacts.py --mb {options.mb:g}"
    write_results("contacts", results, [
        summary_row(f"reading a {options.mb:g} MB .vcf: memory above start per input byte", 2,
                    results_new_read["memory_bytes_per_input_byte"], "bytes/byte", command),
        summary_row(f"importing a {options.mb:g} MB .vcf into a new vault: peak memory", None,
                    new["peak_rss_mb"], "MB", command),
        summary_row("import CPU, whole file / a quarter (goal: the bytes ratio, linear)",
                    results["bytes_ratio_full_to_quarter"], results["cpu_ratio_full_to_quarter"],
                    "x", command),
    ])


if __name__ == "__main__":
    main()
