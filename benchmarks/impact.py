"""Benchmark of what the feedback survey and the certificates add, each beside its baseline in the same run:

- the report PDF for N attendees (default 10,000; about 80% checked in) without any survey, then with the
  survey sent to everyone checked in and R responses (default 4,000: a rating of the session each attended,
  a sentence, a quote consent), in turns, best of --repeat; the aim is at most 1.5x;
- C certificates of attendance (default 1,000, everyone checked in) against C badges (the badge pipeline's
  batch, four to a sheet) for the same people, in turns; the aim is at most 1.5x the badges' time.

The machine is shared: wall-clock and CPU time (this process and every process under it, the PDF workers and a
fork server's included) are both printed, with the load.

Run: .venv/bin/python benchmarks/impact.py [--attendees 10000] [--responses 4000] [--certificates 1000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # eventapp imports config.py from the root

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from benchmarks._cpu import process_tree_cpu  # noqa: E402
from benchmarks.report import seed  # noqa: E402
from eventapp import create_app  # noqa: E402
from eventapp.extensions import db  # noqa: E402
from eventapp.models import (  # noqa: E402
    CheckIn,
    QuestionKind,
    QuoteConsent,
    Registration,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    utcnow,
)

SLUG = "london-p2p-2018"


def cpu() -> float:
    return process_tree_cpu()


def timed(fn):
    started, cpu_started = time.perf_counter(), cpu()
    result = fn()
    return time.perf_counter() - started, cpu() - cpu_started, result


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def add_responses(event, responses: int) -> int:
    """The default survey sent to everyone checked in, and `responses` of them answering."""
    from eventapp.survey import service as surveys

    survey = surveys.create_default_survey(event)
    present = sorted(surveys.checked_in_ids(event))
    now = utcnow()
    db.session.execute(insert(SurveyInvitation), [{"survey_id": survey.id, "registration_id": rid, "sent_at": now}
                                                  for rid in present])
    attended = surveys.sessions_attended(event)
    rating_of = {q.themed_session_id: q.id for q in survey.questions if q.kind == QuestionKind.RATING}
    text_question = next(q.id for q in survey.questions if q.kind == QuestionKind.LONG_TEXT)
    rng = random.Random(responses)
    chosen = rng.sample(present, min(responses, len(present)))
    consents = list(QuoteConsent)
    db.session.execute(insert(SurveyResponse), [
        {"survey_id": survey.id, "registration_id": rid, "quote_consent": consents[i % 3], "submitted_at": now,
         "updated_at": now} for i, rid in enumerate(chosen)])
    response_ids = dict(db.session.execute(select(SurveyResponse.registration_id, SurveyResponse.id)).all())
    answers = []
    for rid in chosen:
        for sid in attended.get(rid, ()):
            answers.append({"response_id": response_ids[rid], "question_id": rating_of[sid],
                            "rating": rng.randint(1, 5), "text": None})
        answers.append({"response_id": response_ids[rid], "question_id": text_question, "rating": None,
                        "text": "We will set up a peer exchange between our budget offices next quarter."})
    db.session.execute(insert(SurveyAnswer), answers)
    db.session.commit()
    return len(chosen)


def report_part(args) -> None:
    from eventapp.report import pdf, service

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/impact.sqlite3",
                                     "INSTANCE_DIR": Path(tmp)})
        with app.app_context():
            upgrade()
            seed(args.attendees)
            event = service.load_event(SLUG)
            pdf.build_report_pdf(event)  # fonts, templates: warm
            turns = []
            for _ in range(args.repeat):
                turns.append(timed(lambda: pdf.build_report_pdf(service.load_event(SLUG)))[:2])
            without = min(turns)
            answered = add_responses(service.load_event(SLUG), args.responses)
            turns = []
            for _ in range(args.repeat):
                turns.append(timed(lambda: pdf.build_report_pdf(service.load_event(SLUG)))[:2])
            with_survey = min(turns)
            print(f"report PDF, {args.attendees:,} attendees: without a survey {without[0]:.2f} s "
                  f"(CPU {without[1]:.2f} s); "
                  f"with {answered:,} responses {with_survey[0]:.2f} s (CPU {with_survey[1]:.2f} s); "
                  f"ratio {with_survey[0] / without[0]:.2f}x (CPU {with_survey[1] / without[1]:.2f}x); load {load()}",
                  flush=True)
            db.session.remove()
            db.engine.dispose()


def certificates_part(args) -> None:
    from eventapp.badges import service as badges
    from eventapp.certificates import service as certificates
    from eventapp.report.service import load_event

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/impact.sqlite3",
                                     "INSTANCE_DIR": Path(tmp)})
        with app.app_context():
            upgrade()
            seed(args.certificates)
            event = load_event(SLUG)
            # everyone checked in, so that the certificates and the badges are for the same people
            present = set(db.session.execute(select(CheckIn.registration_id)).scalars())
            db.session.execute(insert(CheckIn), [
                {"event_id": event.id, "registration_id": rid, "themed_session_id": None,
                 "checked_in_at": event.starts_at, "method": "scan"}
                for rid in db.session.execute(select(Registration.id)).scalars() if rid not in present])
            db.session.commit()
            certificates.issue_all(event)
            request = badges.BatchRequest(event_id=event.id)
            out = Path(tmp) / "badges.pdf"
            badge_turns, certificate_turns = [], []
            for _ in range(args.repeat):
                badge_turns.append(timed(lambda: badges.render_batch(request, out))[:2])
                wall, cpu_time, (_, made) = timed(lambda: certificates.render_batch(load_event(SLUG)))
                certificate_turns.append((wall, cpu_time))
            b, c = min(badge_turns), min(certificate_turns)
            print(f"{made:,} certificates {c[0]:.2f} s (CPU {c[1]:.2f} s) against "
                  f"{badges.count_for_batch(request):,} badges {b[0]:.2f} s (CPU {b[1]:.2f} s): "
                  f"ratio {c[0] / b[0]:.2f}x "
                  f"(CPU {c[1] / b[1]:.2f}x); load {load()}", flush=True)
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=4_000)
    parser.add_argument("--certificates", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", choices=("report", "certificates"))
    args = parser.parse_args()
    print(f"load average at start (1/5/15 min): {load()} on {os.cpu_count()} cores", flush=True)
    if args.only != "certificates":
        report_part(args)
    if args.only != "report":
        certificates_part(args)


if __name__ == "__main__":
    main()
