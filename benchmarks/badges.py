"""Badge PDF rendering speed and memory: the badge pipeline beside bare WeasyPrint, same badges, same run.

    .venv/bin/python benchmarks/badges.py [--sizes 80,1000,10000] [--baseline 1000] [--workers N]
                                          [--layout a4-4up] [--keep DIR]

Each measurement runs in a fresh Python process, so imports, caches and worker start-up are
counted every time and peak memory is that run's own. "bare" is the naive way: one HTML document
of all badges (stock qrcode SVG images, inline styles, default user-agent stylesheet) and one
WeasyPrint write_pdf call, in one process. Wall time is noisy on a shared 2-core machine; CPU
time (this process and its workers) and the ratio within one run are steadier.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventapp.badges.layout import BadgeData, BadgeSession  # noqa: E402
from eventapp.tokens import BADGE_ALPHABET, BADGE_SECRET_LENGTH, badge_code  # noqa: E402

SESSIONS = [
    BadgeSession("Making evidence count: data for governance reform", "Churchill Room", "10:30–12:00"),
    BadgeSession("Tax, revenue and accountability", "Room B", "13:30–15:00"),
    BadgeSession("Digital public infrastructure in fragile states", "Auditorium", "15:30–17:00"),
]
GIVEN = [
    "Alice",
    "Chidi",
    "Élodie",
    "Farid",
    "Grace",
    "Hiroshi",
    "Inês",
    "Jonas",
    "Kwame",
    "Lena",
    "Mónica",
    "Nikolai",
    "Olusegun",
    "Priya",
    "Siobhán",
    "Thandiwe",
    "Анна",
    "محمد",
    "अमित",
    "小明",
]
FAMILY = [
    "Smith",
    "Okafor",
    "Nguyen",
    "Müller",
    "García-Pérez",
    "Patel",
    "Kowalski",
    "Haddad",
    "O'Connor",
    "Tanaka",
    "Андерсон",
    "عبد الله",
    "शर्मा",
    "王",
]
ORGANISATIONS = [
    "Global Partnership for Governance",
    "Tony Blair Institute for Global Change",
    "NSGI",
    "Department for International Development",
    "University of Oxford",
    "Overseas Development Institute",
    "Ministry of Finance and Economic Planning",
    "Московский государственный университет",
    "جامعة القاهرة",
    "北京大学",
    "भारतीय प्रौद्योगिकी संस्थान दिल्ली",
    "",
]


def make_badges(count: int, seed: int = 2018) -> list[BadgeData]:
    rnd = random.Random(seed)
    badges = []
    for number in range(count):
        given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
        full = f"{family}{given}" if given == "小明" else f"{given} {family}"
        assigned = sorted(rnd.sample(range(3), rnd.randint(1, 3)))
        badges.append(
            BadgeData(
                registration_id=1000 + number,
                full_name=full,
                given_name=given,
                family_name=family,
                organisation=rnd.choice(ORGANISATIONS),
                sessions=tuple(SESSIONS[i] for i in assigned),
                code=badge_code("".join(rnd.choice(BADGE_ALPHABET) for _ in range(BADGE_SECRET_LENGTH))),
                event_name="London Conference 2018",
                event_date="Tuesday 13 November 2018",
            )
        )
    return badges


# --- One measurement, in its own process -----------------------------------------------------


def _bar(done: int, total: int) -> None:
    if sys.stderr.isatty():
        filled = 30 * done // total
        print(
            f"\r  [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True
        )
        if done == total:
            print("\r" + " " * 50 + "\r", end="", file=sys.stderr, flush=True)


def run_pipeline(size: int, layout: str, workers: int | None, out: Path) -> dict:
    from eventapp.badges.render import render_badges_pdf

    badges = make_badges(size)
    start = time.perf_counter()
    pages = render_badges_pdf(badges, out, layout=layout, workers=workers, progress=_bar)
    return {"seconds": time.perf_counter() - start, "pages": pages}


def _naive_qr(code: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        code, image_factory=qrcode.image.svg.SvgPathImage, error_correction=qrcode.ERROR_CORRECT_Q
    )
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def run_bare(size: int, out: Path) -> dict:
    """The naive way: one document, every badge a floated box with inline styles, one write_pdf."""
    badges = make_badges(size)
    start = time.perf_counter()
    import weasyprint

    e = html.escape
    parts = [
        "<style>@page { size: A4; margin: 0 } body { margin: 0; font-family: sans-serif }"
        " .badge { float: left; width: 105mm; height: 148.5mm; box-sizing: border-box; padding: 8mm;"
        " text-align: center; overflow: hidden }</style>"
    ]
    for badge in badges:
        sessions = "".join(
            f"<p style='font-size: 9pt'>{e(s.title)}<br>{e(s.when)} {e(s.room)}</p>" for s in badge.sessions
        )
        parts.append(
            "<div class='badge'>"
            f"<p style='background: #0e4d64; color: white; padding: 2mm'>{e(badge.event_name)}<br>"
            f"{e(badge.event_date)}</p>"
            f"<p style='font-size: 28pt; font-weight: bold'>{e(badge.full_name)}</p>"
            f"<p style='font-size: 13pt'>{e(badge.organisation)}</p>{sessions}"
            f"<img style='width: 37mm' src='{_naive_qr(badge.code)}'><p>#{badge.registration_id}</p></div>"
        )
    weasyprint.HTML(string="".join(parts)).write_pdf(out)
    return {"seconds": time.perf_counter() - start, "pages": None}


def measure(kind: str, size: int, layout: str, workers: int | None, out: Path) -> dict:
    result = run_bare(size, out) if kind == "bare" else run_pipeline(size, layout, workers, out)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    if result["pages"] is None:
        from pypdf import PdfReader

        result["pages"] = len(PdfReader(out).pages)
    result.update(
        cpu_seconds=own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
        main_rss_mb=own.ru_maxrss / 1024,
        worker_rss_mb=children.ru_maxrss / 1024,
        pdf_mb=out.stat().st_size / 2**20,
    )
    return result


# --- The table ----------------------------------------------------------------------------------


def _child(kind: str, size: int, args: argparse.Namespace, folder: Path) -> dict:
    out = folder / f"{kind}-{size}.pdf"
    command = [
        sys.executable,
        __file__,
        "--one",
        kind,
        "--size",
        str(size),
        "--layout",
        args.layout,
        "--out",
        str(out),
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    done = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="80,1000,10000", help="badge counts for the pipeline")
    parser.add_argument(
        "--baseline", type=int, default=1000, help="badge count for bare WeasyPrint (0: skip)"
    )
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--layout", default="a4-4up", choices=["a4-4up", "a6-single"])
    parser.add_argument("--keep", type=Path, default=None, help="keep the PDFs in this folder")
    parser.add_argument("--one", choices=["bare", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(measure(args.one, args.size, args.layout, args.workers, args.out)))
        return

    import weasyprint

    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start, "
        f"Python {sys.version.split()[0]}, "
        f"WeasyPrint {weasyprint.__version__}, layout {args.layout}, workers {args.workers or 'one per CPU'}"
    )
    print(
        f"{'':28} {'badges':>7} {'pages':>6} {'wall s':>8} {'pages/s':>8} {'CPU s':>7} "
        f"{'RSS main/worker MB':>19} {'PDF MB':>7}"
    )
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        runs = ([("bare", args.baseline)] if args.baseline else []) + [("pipeline", size) for size in sizes]
        for kind, size in runs:
            result = results[kind, size] = _child(kind, size, args, folder)
            label = "bare WeasyPrint, 1 process" if kind == "bare" else "badge pipeline"
            workers_rss = "-" if kind == "bare" else f"{result['worker_rss_mb']:.0f}"
            print(
                f"{label:28} {size:>7} {result['pages']:>6} {result['seconds']:>8.2f} "
                f"{result['pages'] / result['seconds']:>8.1f} {result['cpu_seconds']:>7.1f} "
                f"{result['main_rss_mb']:>9.0f} / {workers_rss:<7} {result['pdf_mb']:>7.2f}",
                flush=True,
            )
    if args.baseline and ("pipeline", args.baseline) in results:
        bare, ours = results["bare", args.baseline], results["pipeline", args.baseline]
        print(
            f"at {args.baseline} badges bare WeasyPrint takes {bare['seconds'] / ours['seconds']:.1f}x the "
            f"wall time of the pipeline, and {bare['cpu_seconds'] / ours['cpu_seconds']:.1f}x its CPU time"
        )


if __name__ == "__main__":
    main()
