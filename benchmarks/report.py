"""Benchmark of the report PDF build for 80, 1,000 and 10,000 attendees, beside two baselines in the same run.

Each size is seeded into its own temporary SQLite database (the demo conference, capacity lifted so everyone
has a place, each person assigned to a themed session, about 80% checked in at the door and most of those at
a session, all three sections ready). Timed, best of --repeat runs:

- baseline: WeasyPrint rendering a trivial one-page HTML (the fixed cost of any PDF on this machine);
- figures: reading the rows and computing the figures (no PDF);
- report: the whole `build_report_pdf()`, as the CLI and the background job run it, split into its stages.

Run: .venv/bin/python benchmarks/report.py [--sizes 80,1000,10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # eventapp imports config.py from the root

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


def best(repeat: int, fn):
    """(best wall-clock seconds, CPU seconds of that run, result). CPU time is shown too because this machine is
    shared: on a busy one, wall-clock time counts the waits for a core."""
    runs, result = [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
    wall, cpu = min(runs)
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import weasyprint

    def baseline():
        return weasyprint.HTML(string="<p>Hello</p>").write_pdf()

    baseline()  # load the libraries and fonts once, as a running server has
    base, base_cpu, _ = best(args.repeat, baseline)
    print(f"baseline: WeasyPrint, a trivial one-page HTML: {base:.3f} s (CPU {base_cpu:.3f} s)")
    print()
    print(f"{'attendees':>9} {'checked in':>10} {'seed':>7} {'figures':>8} {'report':>8} {'CPU':>7} {'pages':>5} "
          f"{'KiB':>6}   stages of the best report run (s)")
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

                report_time, report_cpu, data = best(args.repeat, build)
                fastest = min(runs, key=sum)
                from pypdf import PdfReader

                pages = len(PdfReader(io.BytesIO(data)).pages)
                stages = " ".join(f"{s:.2f}" for s in fastest)
                print(f"{n:>9,} {figures.attendance.checked_in:>10,} {seeded:>6.1f}s {figures_time:>7.3f}s "
                      f"{report_time:>7.2f}s {report_cpu:>6.2f}s {pages:>5} {len(data) / 1024:>6,.0f}   {stages}  "
                      "(rows+figures, HTML, layout, PDF)", flush=True)
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
