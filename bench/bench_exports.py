"""Benchmark the workshop exports: time and peak memory for 1,000 and 10,000 statements.

Each (format, size) runs in a fresh Python process so that one run's caches and
memory do not flatter the next; the child reports wall time for the export call
alone and its peak resident set (ru_maxrss, which includes the interpreter and
imports). Decks are synthetic: the sample statements, cycled and paired so that
almost every text is different (a real deck repeats few statements, and the
layout caches fits by text), with about 1 in 20 Welsh, 1 in 25 Polish and 1 in 30
Urdu with an English translation. One extra run prints 1,000 cards that are all
Urdu, to show the cost of the shaped (HarfBuzz) path on its own.

    .venv/bin/python bench/bench_exports.py            # run all, print, append to RESULTS.md
    .venv/bin/python bench/bench_exports.py --no-save  # print only
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "exports" / "statements.csv"
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Exports"
INTRO = (
    "Cards (2x4), strips, XLSX and CSV from synthetic decks (bench/bench_exports.py): each run "
    "in a fresh process; seconds (wall) and CPU seconds for the export call alone; peak RSS of "
    "that process, interpreter and imports included. Mixed: about 1 in 20 Welsh, 1 in 25 Polish, "
    "1 in 30 Urdu; urdu: every statement Urdu (the shaped path)."
)
FORMATS = ("cards", "strips", "xlsx", "csv")
SIZES = (1_000, 10_000)
RUNS = [(fmt, size, "mixed") for size in SIZES for fmt in FORMATS] + [("cards", 1_000, "urdu")]

WELSH = (
    "Mae'r gofalwr yn siarad Cymraeg â fi bob bore",
    "Rwy'n hoffi mynd i'r ŵyl gyda fy ffrindiau",
    "Does dim bws i'r dref ar ddydd Sul o'r tŷ",
    "Hoffwn i gael gwaith yn y caffi yn y dyfodol",
)
POLISH = (
    "Opiekunka przychodzi zawsze na czas i mówi po polsku",
    "Nie lubię, gdy zmieniają się opiekunowie co tydzień",
    "Chciałbym znowu pojechać nad morze z żoną",
    "Za mało czasu na rozmowę, wszystko w pośpiechu",
)
URDU = (
    ("مجھے اپنے گھر میں رہنا پسند ہے", "I like living in my own home"),
    ("عملہ میری بات سنتا ہے", "The staff listen to me"),
    ("مجھے ہر ہفتے مختلف لوگ ملتے ہیں", "I get different people every week"),
    ("میں اپنی بیٹی کے قریب رہنا چاہتی ہوں", "I want to live near my daughter"),
)


def build_deck(size: int, mix: str = "mixed") -> Any:
    """A synthetic deck of `size` statements (see the module docstring)."""
    sys.path.insert(0, str(ROOT))
    from admin.exports.deck import Deck, ExportStatement

    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    start = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    statements = []
    for i in range(size):
        a = rows[i % len(rows)]
        b = rows[(i * 7 + i // len(rows)) % len(rows)]
        text = a["text"] if i < len(rows) else f"{a['text']}. {b['text']}"
        language, translation = "en", None
        if i % 20 == 7:
            language, text = "cy", f"{WELSH[i % len(WELSH)]}. {WELSH[(i // 20) % len(WELSH)]}"
        elif i % 25 == 11:
            language, text = "pl", f"{POLISH[i % len(POLISH)]}. {POLISH[(i // 25) % len(POLISH)]}"
        elif i % 30 == 13 or mix == "urdu":
            first, second = URDU[i % len(URDU)], URDU[(i // 30) % len(URDU)]
            language = "ur"
            text = f"{first[0]}، {second[0]}"
            translation = f"{first[1]}; {second[1]}"
        statements.append(
            ExportStatement(
                statement_id=i + 1,
                response_key=i // 5,
                category=a["category"],  # type: ignore[arg-type]
                card_text=text,
                original_text=None,
                pick_rank=1 + i % 2,
                perspective=a["perspective"] or None,
                segment=("homecare", "day services", "supported living")[i % 3],
                channel=("sms", "whatsapp", "telegram", "webchat")[i % 4],
                language=language,
                translation=translation,
                collected_at=start + timedelta(minutes=7 * i),
            )
        )
    return Deck(
        programme_code="BENCH",
        programme_name="Benchmark programme",
        purpose="We are using WTfC to measure the exports so that workshops are not kept waiting.",
        future_colour="#1f6fb2",
        seed=42,
        exported_at=datetime(2026, 5, 2, 12, 0, tzinfo=UTC),
        include_all=True,
        statements=statements,
    )


def child(fmt: str, size: int, mix: str, out_dir: str) -> None:
    """Run one export and print a JSON line: seconds, CPU seconds, peak RSS in MB, bytes."""
    deck = build_deck(size, mix)
    from admin.exports.cards import write_cards
    from admin.exports.csv_export import write_csv
    from admin.exports.strips import write_strips
    from admin.exports.xlsx_export import write_xlsx

    suffix = {"cards": "pdf", "strips": "pdf"}.get(fmt, fmt)
    path = Path(out_dir) / f"{fmt}-{size}-{mix}.{suffix}"
    cpu = time.process_time()
    started = time.perf_counter()
    if fmt == "cards":
        write_cards(deck, path)
    elif fmt == "strips":
        write_strips(deck, path)
    elif fmt == "xlsx":
        write_xlsx(deck, path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            write_csv(deck, f)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_bytes = path.stat().st_size
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "bytes": size_bytes}))


def run_all() -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as out_dir:
        for fmt, size, mix in RUNS:
            done = subprocess.run(
                [sys.executable, __file__, "--child", fmt, str(size), mix, out_dir],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result.update(format=fmt, size=size, mix=mix)
            results.append(result)
            print(
                f"{fmt:7} {size:>6} {mix:5}: {result['seconds']:.2f} s, {result['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
    return results


def table(results: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    out.write(
        "| format | statements | mix | seconds | CPU seconds | peak RSS (MB) | output (KB) |\n"
    )
    out.write("|---|---:|---|---:|---:|---:|---:|\n")
    for r in results:
        out.write(
            f"| {r['format']} | {r['size']:,} | {r['mix']} | {r['seconds']:.2f} | {r['cpu']:.2f} "
            f"| {r['peak_mb']:.0f} | {r['bytes'] / 1024:,.0f} |\n"
        )
    return out.getvalue()


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return (
        f"{date.today().isoformat()}; {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; fpdf2 {version('fpdf2')}, "
        f"XlsxWriter {version('xlsxwriter')}; load average {os.getloadavg()[0]:.1f} at start"
    )


def save(markdown: str) -> None:
    """Add a run at the end of the "Exports" section (creating it the first time),
    before any section another benchmark added after it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if HEADING not in text:
        text = text.rstrip("\n") + ("\n\n" if text else "") + HEADING + "\n\n" + INTRO + "\n"
    start = text.index(HEADING) + len(HEADING)
    following = text.find("\n## ", start)
    end = len(text) if following == -1 else following + 1
    section = text[:end].rstrip("\n") + "\n\n" + markdown.rstrip("\n") + "\n"
    rest = text[end:]
    RESULTS.write_text(section + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=4, metavar=("FORMAT", "SIZE", "MIX", "DIR"))
    parser.add_argument("--no-save", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()
    if args.child:
        fmt, size, mix, out_dir = args.child
        child(fmt, int(size), mix, out_dir)
        return
    results = run_all()
    markdown = f"### {machine()}\n\n{table(results)}"
    print(markdown)
    if not args.no_save:
        save(markdown)


if __name__ == "__main__":
    main()
