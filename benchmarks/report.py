"""Benchmark of the report PDF build for 80, 1,000 and 10,000 attendees, beside two baselines in the same run.

Each size is seeded into its own temporary SQLite database (the demo conference, capacity lifted so everyone
has a place, each person assigned to a themed session, about 80% checked in at the door and most of those at
a session, all three sections ready). Timed:

- baseline: WeasyPrint rendering a trivial one-page HTML (the fixed cost of any PDF on this machine);
- reference: WeasyPrint rendering a fixed 15-page document in the report's style (text, tables, headers,
  page numbers), timed in turns with the report, so `x ref` (report time / reference time of the same
  turns) says how the report compares with a constant amount of work whatever else the machine is doing;
- figures: reading the rows and computing the figures (no PDF);
- first: the first report build of that size, cold for the event (and for the first size, for the process:
  templates compiled and the report's fonts loaded then); nothing is cached between builds, so later builds
  redo all the work too;
- report: the whole `build_report_pdf()`, as the CLI and the background job run it, best of --repeat turns,
  with its CPU time and its stages.

The machine is shared: the load average is printed per size, and CPU time beside wall-clock time.

Run: .venv/bin/python benchmarks/report.py [--sizes 80,1000,10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's eventapp, even without `make install`

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from eventapp import create_app  # noqa: E402
from eventapp.demo.service import seed_demo  # noqa: E402
from eventapp.extensions import db  # noqa: E402
from eventapp.models import (  # noqa: E402
    Assignment,
    AssignmentMethod,
    CheckIn,
    Registration,
    RegistrationStatus,
    ReportSection,
    SectionStatus,
)
from eventapp.report import pdf, service  # noqa: E402

SECTION = ("Peer-to-peer support works when both sides own the reform. " * 12).strip()


def seed(n: int) -> None:
    event = seed_demo(attendees=0).event
    event.capacity = None  # everyone gets a place: the figures then cover n people
    db.session.commit()
    event = seed_demo(attendees=n).event
    sessions = event.themed_sessions
    rng = random.Random(n)
    ids = db.session.execute(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalars().all()
    assignments, check_ins = [], []
    for i, rid in enumerate(ids):
        ts = sessions[i % len(sessions)]
        assignments.append({"registration_id": rid, "themed_session_id": ts.id, "time_slot_id": ts.time_slot_id,
                            "method": AssignmentMethod.SOLVER, "pinned": False})
        if rng.random() < 0.8:
            arrived = event.starts_at - timedelta(minutes=60) + timedelta(minutes=rng.randint(0, 150))
            check_ins.append({"event_id": event.id, "registration_id": rid, "themed_session_id": None,
                              "checked_in_at": arrived, "method": "scan"})
            if rng.random() < 0.75:
                check_ins.append({"event_id": event.id, "registration_id": rid, "themed_session_id": ts.id,
                                  "checked_in_at": ts.time_slot.starts_at + timedelta(minutes=rng.randint(0, 10)),
                                  "method": "scan"})
    db.session.execute(insert(Assignment), assignments)
    db.session.execute(insert(CheckIn), check_ins)
    for ts in sessions:
        db.session.add(ReportSection(themed_session_id=ts.id, status=SectionStatus.READY, narrative=SECTION,
                                     key_findings="- One\n- Two\n- Three", lessons=SECTION, open_questions="Why?"))
    db.session.commit()


def timed(fn):
    """(wall-clock seconds, CPU seconds, result) of one call."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - started, time.process_time() - cpu, result


def best(repeat: int, fn):
    """(best wall-clock seconds, CPU seconds of that run, result). CPU time is shown too because this machine is
    shared: on a busy one, wall-clock time counts the waits for a core."""
    runs, result = [], None
    for _ in range(repeat):
        wall, cpu, result = timed(fn)
        runs.append((wall, cpu))
    wall, cpu = min(runs)
    return wall, cpu, result


def reference_html() -> str:
    """A fixed document in the report's stylesheet: ten pages of paragraphs and tables, nothing from a database."""
    words = ("peer learning reform parliament counterpart ownership evidence budget ministry oversight committee "
             "partnership impact sustainability practice network").split()
    rng = random.Random(7)
    parts = ['<html><head><link rel="stylesheet" href="report/report.css"></head>',
             '<body class="print"><div class="report">']
    for chapter in range(1, 6):
        parts.append(f'<section class="chapter"><h2>Reference chapter {chapter}</h2>')
        for _ in range(9):
            parts.append("<p>" + " ".join(rng.choice(words) for _ in range(90)) + ".</p>")
        rows = "".join(f'<tr><td>{" ".join(rng.choice(words) for _ in range(3))}</td>'
                       f'<td class="num">{rng.randint(1, 9999)}</td><td class="num">{rng.randint(1, 9999)}</td></tr>'
                       for _ in range(12))
        parts.append(f'<table class="numbers"><thead><tr><th>Row</th><th class="num">A</th><th class="num">B</th>'
                     f"</tr></thead><tbody>{rows}</tbody></table></section>")
    parts.append("</div></body></html>")
    return "".join(parts)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import weasyprint
    from pypdf import PdfReader

    def baseline():
        return weasyprint.HTML(string="<p>Hello</p>").write_pdf()

    reference_source = reference_html()

    def reference():  # WeasyPrint itself, not the app's render_pdf: the same work before and after a change to it
        fetcher = pdf.StaticOnlyFetcher()
        return weasyprint.HTML(string=reference_source, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf()

    print(f"load average at start (1/5/15 min): {load()} on {os.cpu_count()} cores")
    baseline()  # load the libraries and the default font once, as a running server has
    base, base_cpu, _ = best(args.repeat, baseline)
    print(f"baseline: WeasyPrint, a trivial one-page HTML: {base:.3f} s (CPU {base_cpu:.3f} s)")
    ref_pages = len(PdfReader(io.BytesIO(reference())).pages)
    ref, ref_cpu, _ = best(args.repeat, reference)
    print(f"reference: WeasyPrint, a fixed {ref_pages}-page document in the report's style: {ref:.2f} s "
          f"(CPU {ref_cpu:.2f} s)")
    print()
    print(f"{'attendees':>9} {'checked in':>10} {'seed':>6} {'figures':>8} {'first (CPU)':>13} {'report':>7} "
          f"{'CPU':>6} {'x ref':>5} {'ref':>5} {'pages':>5} {'KiB':>5}  {'load':>14}  "
          "stages of the best report run (s)")
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                                         "INSTANCE_DIR": Path(tmp)})
            with app.app_context():
                upgrade()
                started = time.perf_counter()
                seed(n)
                seeded = time.perf_counter() - started
                event = service.load_event("london-p2p-2018")
                figures_time, _, figures = best(args.repeat, lambda event=event: service.load_figures(event))
                runs = []

                def build(event=event, runs=runs):
                    marks = [time.perf_counter()]
                    data = pdf.build_report_pdf(event, lambda done, total, message: marks.append(time.perf_counter()))
                    runs.append([b - a for a, b in zip(marks, marks[1:], strict=False)])
                    return data

                first, first_cpu, data = timed(build)
                turns = []  # (report wall, report CPU, reference wall, reference CPU), taken in turns
                for _ in range(args.repeat):
                    ref_wall, ref_cpu, _ = timed(reference)
                    wall, cpu, data = timed(build)
                    turns.append((wall, cpu, ref_wall, ref_cpu))
                report_time, report_cpu, _, _ = min(turns)
                ref_time = min(t[2] for t in turns)
                fastest = min(runs[1:], key=sum)
                pages = len(PdfReader(io.BytesIO(data)).pages)
                stages = " ".join(f"{s:.2f}" for s in fastest)
                print(f"{n:>9,} {figures.attendance.checked_in:>10,} {seeded:>5.1f}s {figures_time:>7.3f}s "
                      f"{first:>5.2f}s ({first_cpu:.2f}s) {report_time:>6.2f}s {report_cpu:>5.2f}s "
                      f"{report_time / ref_time:>5.2f} {ref_time:>4.2f}s {pages:>5} {len(data) / 1024:>5,.0f}  "
                      f"{load():>14}  {stages}  (rows+figures, HTML, layout, PDF)",
                      flush=True)
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
