"""figures.py on plain rows: definitions, arrival intervals, and totals that always add up."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from eventapp.report.figures import (
    AssignmentRow,
    CheckInRow,
    PersonRow,
    SessionRow,
    arrival_bins,
    compute_figures,
)

T0 = datetime(2018, 2, 7, 8, 0, tzinfo=UTC)
SESSIONS = [SessionRow(10, "Sticky change", "GPG"), SessionRow(11, "Counterparts", "TBI")]


def test_definitions():
    people = [
        PersonRow(1, "confirmed", "government", "KE"),
        PersonRow(2, "confirmed", "ngo", "KE"),
        PersonRow(3, "confirmed", None, None),
        PersonRow(4, "waitlisted", "ngo", "GB"),
        PersonRow(5, "cancelled", "ngo", "GB"),
    ]
    assignments = [AssignmentRow(1, 10), AssignmentRow(2, 11), AssignmentRow(4, 10)]  # 4 has no place
    check_ins = [
        CheckInRow(1, None, T0 + timedelta(minutes=20)),
        CheckInRow(1, 10, T0 + timedelta(hours=3)),
        CheckInRow(3, 11, T0 + timedelta(hours=3, minutes=1)),  # seen only at a session: checked in
        CheckInRow(5, None, T0),  # cancelled: not counted anywhere
    ]
    f = compute_figures(people, assignments, check_ins, SESSIONS, timezone="Europe/London",
                        kind_label=str.title, country_label={"KE": "Kenya", "GB": "UK"}.get)
    a = f.attendance
    assert (a.registered, a.checked_in, a.no_shows, a.waitlisted, a.cancelled) == (3, 2, 1, 1, 1)
    assert [(s.title, s.assigned, s.attended) for s in f.sessions] == [("Sticky change", 1, 1), ("Counterparts", 1, 1)]
    assert [(g.label, g.registered, g.checked_in) for g in f.by_kind] == [
        ("Government", 1, 1), ("Ngo", 1, 0), ("No organisation given", 1, 1)]
    assert [(g.label, g.registered, g.checked_in) for g in f.by_country] == [("Kenya", 2, 1), ("Not given", 1, 1)]
    assert f.arrivals_total == 2 and f.arrivals[0].starts_at.strftime("%H:%M") == "08:15"


def test_arrival_intervals_are_round_and_include_the_empty_ones():
    moments = [T0 + timedelta(minutes=m) for m in (3, 4, 50)]
    bins, width = arrival_bins(moments, "UTC")
    assert width == 5
    assert [b.starts_at.strftime("%H:%M") for b in bins][:2] == ["08:00", "08:05"]
    assert [b.arrivals for b in bins] == [2] + [0] * 9 + [1]
    assert bins[-1].cumulative == 3
    assert arrival_bins([], "UTC") == ([], 5)
    assert arrival_bins([T0, T0 + timedelta(hours=3, minutes=30)], "UTC")[1] == 15
    bins, width = arrival_bins([T0 + timedelta(minutes=5), T0 + timedelta(minutes=1830)], "UTC")
    assert width == 120 and len(bins) == 16  # aligned intervals, not the bare span, decide the width


people_rows = st.lists(
    st.tuples(st.sampled_from(["confirmed", "waitlisted", "cancelled"]),
              st.sampled_from([None, "ngo", "government"]), st.sampled_from([None, "KE", "GB", "fr"])),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(people_rows, st.lists(st.tuples(st.integers(0, 45), st.sampled_from([None, 10, 11]),
                                       st.integers(0, 60 * 24 * 3)), max_size=80))
def test_totals_always_add_up(rows, scans):
    people = [PersonRow(i, *row) for i, row in enumerate(rows)]
    check_ins = [CheckInRow(rid, sid, T0 + timedelta(minutes=m)) for rid, sid, m in scans]
    f = compute_figures(people, [], check_ins, SESSIONS, timezone="Asia/Kolkata")
    a = f.attendance
    assert a.registered == sum(1 for p in people if p.status == "confirmed")
    assert 0 <= a.checked_in <= a.registered and a.no_shows >= 0
    for groups in (f.by_kind, f.by_country):
        assert sum(g.registered for g in groups) == a.registered
        assert sum(g.checked_in for g in groups) == a.checked_in
    assert f.arrivals_total == a.checked_in
    assert len(f.arrivals) <= 16 or f.bin_minutes == 10080
    assert all(s.attended <= a.checked_in for s in f.sessions)
