"""Badge PDF rendering speed and memory: the badge pipeline beside reportlab and bare WeasyPrint, same badges.

    .venv/bin/python benchmarks/badges.py [--sizes 80,1000,10000] [--reportlab-sizes 80,1000,10000]
                                          [--baseline 1000] [--workers N] [--layout a4-4up] [--keep DIR]

Each measurement runs in a fresh Python process, so imports, caches and worker start-up are counted every
time and peak memory is that run's own. The rows:

- "badge pipeline": eventapp/badges/render.py, in worker processes (one per CPU), with every QR code made
  beforehand, as the app keeps them (made once per badge code, at re-issue or at the first print);
- "pipeline, QR made in run": the same with no QR code kept yet, as at a code's first print;
- "reportlab + segno": the same badges drawn on reportlab's canvas in one process, each QR code made with
  segno while drawing (benchmarks/_reportlab_badges.py): issue 16's yardstick, the pipeline should take at
  most 0.8 of its wall time for 1,000 badges;
- "bare WeasyPrint": the naive way, one HTML document of all badges (stock qrcode SVG images, inline
  styles) and one write_pdf call, in one process.

Wall time is noisy on a shared 2-core machine; the CPU time of the run (its process and its workers), the
ratios within one run and the machine's load printed before and after say how far to trust it.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
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


def _with_kept_qr_codes(badges: list[BadgeData]) -> list[BadgeData]:
    """The badges as the app hands them to the renderer: each with the QR code kept for its code."""
    from eventapp.badges import qr

    if "qr_svg" not in {field.name for field in dataclasses.fields(BadgeData)}:
        return badges  # a renderer from before QR codes were kept (for before/after figures)
    return [dataclasses.replace(badge, qr_svg=qr.qr_svg(badge.code)) for badge in badges]


def run_pipeline(size: int, layout: str, workers: int | None, out: Path, qr_kept: bool = True) -> dict:
    from eventapp.badges.render import render_badges_pdf

    badges = make_badges(size)
    if qr_kept:
        badges = _with_kept_qr_codes(badges)
    start = time.perf_counter()
    cpu = _cpu_seconds()
    pages = render_badges_pdf(badges, out, layout=layout, workers=workers, progress=_bar)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu, "pages": pages}


def run_reportlab(size: int, layout: str, out: Path) -> dict:
    import _reportlab_badges

    badges = make_badges(size)
    start = time.perf_counter()
    cpu = _cpu_seconds()
    pages = _reportlab_badges.render(badges, out, layout)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu, "pages": pages}


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    cpu = _cpu_seconds()
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
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu, "pages": None}


def run_qr(count: int) -> dict:
    """What making one QR code costs: what a sign-up would pay to have its code's QR code made at once."""
    from eventapp.badges import qr

    codes = [badge.code for badge in make_badges(count)]
    start = time.perf_counter()
    cpu = _cpu_seconds()
    for code in codes:
        qr.qr_svg(code)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu, "pages": 0}


def measure(kind: str, size: int, layout: str, workers: int | None, out: Path) -> dict:
    if kind == "qr":
        return run_qr(size)
    if kind == "bare":
        result = run_bare(size, out)
    elif kind == "reportlab":
        result = run_reportlab(size, layout, out)
    else:
        result = run_pipeline(size, layout, workers, out, qr_kept=kind == "pipeline")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    if result["pages"] is None:
        from pypdf import PdfReader

        result["pages"] = len(PdfReader(out).pages)
    result.update(
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


LABELS = {
    "pipeline": "badge pipeline",
    "pipeline-new": "pipeline, QR made in run",
    "reportlab": "reportlab + segno, 1 proc",
    "bare": "bare WeasyPrint, 1 process",
}
FLOOR = 0.8  # issue 16: 1,000 badges in at most 0.8 of reportlab's single-process wall time


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def _sizes(text: str) -> list[int]:
    return [int(size) for size in text.split(",") if size.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="80,1000,10000", help="badge counts for the pipeline")
    parser.add_argument("--reportlab-sizes", default=None, help="badge counts for reportlab (default: --sizes)")
    parser.add_argument(
        "--baseline", type=int, default=1000,
        help="badge count for bare WeasyPrint and for the pipeline with QR codes made in the run (0: skip)",
    )
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--layout", default="a4-4up", choices=["a4-4up", "a6-single"])
    parser.add_argument("--keep", type=Path, default=None, help="keep the PDFs in this folder")
    parser.add_argument("--one", choices=[*LABELS, "qr"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(measure(args.one, args.size, args.layout, args.workers, args.out)))
        return

    import weasyprint

    sizes = _sizes(args.sizes)
    reportlab_sizes = _sizes(args.reportlab_sizes) if args.reportlab_sizes is not None else sizes
    print(f"before: {_uptime()}")
    print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, WeasyPrint {weasyprint.__version__}, "
        f"layout {args.layout}, workers {args.workers or 'one per CPU'}"
    )
    print(
        f"{'':28} {'badges':>7} {'pages':>6} {'wall s':>8} {'pages/s':>8} {'CPU s':>7} "
        f"{'RSS main/worker MB':>19} {'PDF MB':>7}"
    )
    runs = [("reportlab", size) for size in reportlab_sizes] + [("pipeline", size) for size in sizes]
    if args.baseline:
        runs += [("pipeline-new", args.baseline), ("bare", args.baseline)]
    runs.sort(key=lambda run: run[1])  # each size's rows together, close in time
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for kind, size in runs:
            result = results[kind, size] = _child(kind, size, args, folder)
            workers_rss = "-" if kind in ("bare", "reportlab") else f"{result['worker_rss_mb']:.0f}"
            print(
                f"{LABELS[kind]:28} {size:>7} {result['pages']:>6} {result['seconds']:>8.2f} "
                f"{result['pages'] / result['seconds']:>8.1f} {result['cpu_seconds']:>7.1f} "
                f"{result['main_rss_mb']:>9.0f} / {workers_rss:<7} {result['pdf_mb']:>7.2f}",
                flush=True,
            )
        qr = _child("qr", 200, args, folder)
    print(f"after: {_uptime()}")
    one_qr_ms = qr["cpu_seconds"] / 200 * 1000
    print(f"segno, one QR code (what a sign-up would pay to make it at once): {one_qr_ms:.2f} ms CPU")
    for size in sizes:
        if ("reportlab", size) not in results:
            continue
        ours, theirs = results["pipeline", size], results["reportlab", size]
        wall, cpu = ours["seconds"] / theirs["seconds"], ours["cpu_seconds"] / theirs["cpu_seconds"]
        verdict = f": floor {FLOOR} {'met' if wall <= FLOOR else 'NOT met'}" if size == 1000 else ""
        print(f"at {size} badges the pipeline takes {wall:.2f} of reportlab's wall time and {cpu:.2f} of its CPU time"
              f"{verdict}")
    if args.baseline and ("bare", args.baseline) in results and ("pipeline", args.baseline) in results:
        bare, ours = results["bare", args.baseline], results["pipeline", args.baseline]
        print(
            f"at {args.baseline} badges bare WeasyPrint takes {bare['seconds'] / ours['seconds']:.1f}x the "
            f"wall time of the pipeline, and {bare['cpu_seconds'] / ours['cpu_seconds']:.1f}x its CPU time"
        )


if __name__ == "__main__":
    main()
