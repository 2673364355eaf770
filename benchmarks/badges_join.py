"""Joining rendered badge chunks into one PDF: eventapp's PdfJoiner (pypdf) beside pikepdf, same chunks, same run.

    .venv/bin/python benchmarks/badges_join.py [--sizes 1000,10000,40000] [--distinct 4]

The badge pipeline renders chunks of 100 badges (25 A4 pages) in worker processes and joins them, in order,
as they arrive. This measures the join alone: a few distinct chunks are rendered once, then each joiner, in a
fresh process, joins enough of them (in turn) for the badge count, from the bytes a worker would hand it, into
a file. Peak memory is the process's own, over what it held before the join began. pikepdf (qpdf) keeps every
source open until it writes the result, so it is measured twice: sources in memory, and spilled to temporary
files. pikepdf is a test tool ([dev]), not a run-time dependency: without it only PdfJoiner is measured.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BADGES_PER_CHUNK = 100  # the pipeline's default chunk: 25 pages of the A4 four-up layout


def _rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def _join_eventapp(parts: list[bytes], out: Path) -> int:
    from eventapp.pdf.join import PdfJoiner

    with open(out, "wb") as handle:
        joiner = PdfJoiner(handle, title="Badges")
        for part in parts:
            joiner.append(io.BytesIO(part))
        return joiner.close()


def _join_pikepdf(parts: list[bytes], out: Path, spill: bool) -> int:
    import pikepdf

    result, sources = pikepdf.new(), []
    with tempfile.TemporaryDirectory() as scratch:
        for index, part in enumerate(parts):
            if spill:
                path = Path(scratch, f"{index}.pdf")
                path.write_bytes(part)
                source = pikepdf.open(path)
            else:
                source = pikepdf.open(io.BytesIO(part))
            sources.append(source)  # qpdf copies a source's streams when it writes: each must stay open
            result.pages.extend(source.pages)
        with open(out, "wb") as handle:
            result.save(handle)
        pages = len(result.pages)
        for source in sources:
            source.close()
    return pages


def measure(joiner: str, size: int, folder: Path) -> dict:
    distinct = [path.read_bytes() for path in sorted(folder.glob("chunk-*.pdf"))]
    if joiner.startswith("pikepdf"):
        import pikepdf  # noqa: F401  (its import is not the join's cost)
    else:
        import pypdf  # noqa: F401
    parts = [distinct[index % len(distinct)] for index in range(-(-size // BADGES_PER_CHUNK))]
    before = _rss_mb()
    own = resource.getrusage(resource.RUSAGE_SELF)
    out = folder / f"joined-{joiner}-{size}.pdf"
    start = time.perf_counter()
    if joiner == "eventapp":
        pages = _join_eventapp(parts, out)
    else:
        pages = _join_pikepdf(parts, out, spill=joiner == "pikepdf-spill")
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    from pypdf import PdfReader

    assert len(PdfReader(out).pages) == pages == len(parts) * 25, "the joined PDF lost pages"
    result = {"seconds": seconds, "pages": pages, "rss_before_mb": before, "rss_peak_mb": _rss_mb(),
              "cpu_seconds": after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime,
              "pdf_mb": out.stat().st_size / 2**20}
    out.unlink()
    return result


def render_chunks(folder: Path, distinct: int) -> None:
    from badges import make_badges

    from eventapp.badges.render import render_badges_pdf

    badges = make_badges(distinct * BADGES_PER_CHUNK)
    for index in range(distinct):
        chunk = badges[index * BADGES_PER_CHUNK : (index + 1) * BADGES_PER_CHUNK]
        render_badges_pdf(chunk, folder / f"chunk-{index:03d}.pdf", workers=1, chunk_pages=25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,40000", help="badge counts")
    parser.add_argument("--distinct", type=int, default=4, help="distinct chunks rendered (used in turn)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.size, args.folder)))
        return

    import pypdf

    joiners = ["eventapp"]
    try:
        import pikepdf

        joiners += ["pikepdf", "pikepdf-spill"]
        versions = f"pypdf {pypdf.__version__}, pikepdf {pikepdf.__version__} (qpdf {pikepdf.__libqpdf_version__})"
    except ImportError:
        versions = f"pypdf {pypdf.__version__}; pikepdf is not installed, so it is not measured"
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start, Python {sys.version.split()[0]}, "
          f"{versions}")
    labels = {"eventapp": "eventapp PdfJoiner (pypdf)", "pikepdf": "pikepdf, sources in memory",
              "pikepdf-spill": "pikepdf, sources in temp files"}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        start = time.perf_counter()
        render_chunks(folder, args.distinct)
        print(f"rendered {args.distinct} distinct chunks of {BADGES_PER_CHUNK} badges in "
              f"{time.perf_counter() - start:.1f} s; each joiner joins them in turn")
        print(f"{'':32} {'badges':>7} {'pages':>6} {'wall s':>7} {'CPU s':>6} {'RSS before':>10} "
              f"{'peak':>6} {'growth MB':>9} {'PDF MB':>7}")
        for size in [int(size) for size in args.sizes.split(",") if size.strip()]:
            for joiner in joiners:
                command = [sys.executable, __file__, "--one", joiner, "--size", str(size), "--folder", str(folder)]
                done = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True)
                r = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"{labels[joiner]:32} {size:>7} {r['pages']:>6} {r['seconds']:>7.2f} {r['cpu_seconds']:>6.2f} "
                      f"{r['rss_before_mb']:>10.0f} {r['rss_peak_mb']:>6.0f} "
                      f"{r['rss_peak_mb'] - r['rss_before_mb']:>9.0f} {r['pdf_mb']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
