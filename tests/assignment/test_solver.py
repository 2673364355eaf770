"""The pure assignment solver: optimal against brute force, fair on ties, never over capacity, pins kept."""

import itertools
import random
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.assignment import solver
from eventapp.assignment.solver import (
    AssignmentInputError,
    AttendeeInput,
    PinnedOverCapacityError,
    SessionInput,
    best_open_seats,
    solve,
)

# --- an independent scorer and a brute-force oracle --------------------------------------------------


def choice_cost(attendee: AttendeeInput, slot_sessions: list[SessionInput], session_id: int | None) -> int:
    """Cost of an outcome for one attendee in one slot: k-th choice k-1, unranked = k, no seat = k + 1."""
    k = len(slot_sessions)
    if session_id is None:
        return k + 1
    ranked = [p for p in attendee.preferences if p in {s.id for s in slot_sessions}]
    return ranked.index(session_id) if session_id in ranked else k


def by_slot(sessions):
    slots: dict[int, list[SessionInput]] = {}
    for s in sessions:
        slots.setdefault(s.slot, []).append(s)
    return slots


def priority(attendees):
    return sorted(attendees, key=lambda a: (a.registered_order, a.id))


def pins_in(slot_sessions, pins):
    """attendee id -> pinned session id within this slot."""
    ids = {s.id for s in slot_sessions}
    return {a: s for a, value in pins.items() for s in ([value] if isinstance(value, int) else value) if s in ids}


def score(attendees, sessions, assignments, pins=None):
    """(placements, rank cost, per slot: the unpinned attendees' costs in priority order)."""
    placements = cost = 0
    vectors = {}
    for slot, slot_sessions in by_slot(sessions).items():
        pinned = pins_in(slot_sessions, pins or {})
        vector = []
        for a in priority(attendees):
            sid = assignments[a.id].get(slot)
            c = choice_cost(a, slot_sessions, sid)
            if sid is not None:
                placements += 1
                cost += c
            if a.id not in pinned:
                vector.append(c)
        vectors[slot] = tuple(vector)
    return placements, cost, vectors


def brute_force(attendees, sessions, pins=None):
    """Enumerate every assignment of each slot (slots are independent) and keep the lexicographic best of
    (most placements, least rank cost, earliest registrants' costs first): rules 2, 3 and 4."""
    placements = cost = 0
    vectors = {}
    for slot, slot_sessions in by_slot(sessions).items():
        pinned = pins_in(slot_sessions, pins or {})
        ids = {s.id for s in slot_sessions}
        free = [a for a in priority(attendees) if a.id not in pinned]
        options = [
            [None] + [s.id for s in slot_sessions if a.accepts_unranked or s.id in a.preferences] for a in free
        ]
        capacity = {s.id: s.capacity for s in slot_sessions}
        for sid in pinned.values():
            capacity[sid] -= 1
        by_id = {a.id: a for a in attendees}
        pinned_cost = sum(choice_cost(by_id[aid], slot_sessions, sid) for aid, sid in pinned.items())
        best = None
        for combo in itertools.product(*options):
            seated = [sid for sid in combo if sid is not None]
            if any(seated.count(sid) > capacity[sid] for sid in ids):
                continue
            vector = tuple(choice_cost(a, slot_sessions, sid) for a, sid in zip(free, combo, strict=True))
            rank_cost = pinned_cost + sum(c for c, sid in zip(vector, combo, strict=True) if sid is not None)
            key = (-(len(seated) + len(pinned)), rank_cost, vector)
            if best is None or key < best:
                best = key
        placements -= best[0]
        cost += best[1]
        vectors[slot] = best[2]
    return placements, cost, vectors


def first_come_first_served(attendees, sessions):
    """The greedy baseline: in registration order each attendee takes their best open seat."""
    fill: dict[int, int] = {}
    assignments = {}
    for a in priority(attendees):
        assignments[a.id] = best_open_seats(a, sessions, fill)
        for sid in assignments[a.id].values():
            fill[sid] = fill.get(sid, 0) + 1
    return assignments


def check_feasible(attendees, sessions, result, pins=None):
    """Capacities never exceeded, pins kept, only sessions of the right slot, unranked only if accepted,
    and the summary agrees with the assignments."""
    session = {s.id: s for s in sessions}
    by_id = {a.id: a for a in attendees}
    assert set(result.assignments) == set(by_id)
    fill = {s.id: 0 for s in sessions}
    for aid, seats in result.assignments.items():
        for slot, sid in seats.items():
            assert session[sid].slot == slot
            fill[sid] += 1
            pinned_here = pins_in(by_slot(sessions)[slot], pins or {}).get(aid) == sid
            assert by_id[aid].accepts_unranked or sid in by_id[aid].preferences or pinned_here
    for sid, n in fill.items():
        assert n <= session[sid].capacity
    for slot, slot_sessions in by_slot(sessions).items():
        for aid, sid in pins_in(slot_sessions, pins or {}).items():
            assert result.assignments[aid][slot] == sid
        summary = result.slots[slot]
        assert summary.placements + len(summary.unplaced) == len(attendees)
        assert {sid: f.assigned for sid, f in summary.fill.items()} == {s.id: fill[s.id] for s in slot_sessions}
    placements, cost, _ = score(attendees, sessions, result.assignments, pins)
    assert (result.placements, result.rank_cost) == (placements, cost)


# --- random small instances ------------------------------------------------------------------------


@st.composite
def instances(draw, max_attendees=6, max_sessions=3):
    n_sessions = draw(st.integers(1, max_sessions))
    sessions = [
        SessionInput(id=10 + j, slot=draw(st.integers(1, 2)), capacity=draw(st.integers(0, 3)))
        for j in range(n_sessions)
    ]
    ids = [s.id for s in sessions]
    attendees = []
    for i in range(draw(st.integers(0, max_attendees))):
        prefs = tuple(draw(st.permutations(ids))[: draw(st.integers(0, len(ids)))])
        attendees.append(
            AttendeeInput(
                id=100 + i,
                preferences=prefs,
                registered_order=draw(st.integers(0, 3)),
                accepts_unranked=draw(st.booleans()),
            )
        )
    pins: dict[int, set[int]] = {}
    left = {s.id: s.capacity for s in sessions}
    for a in attendees:
        sid = draw(st.one_of(st.none(), st.sampled_from(ids)))
        if sid is not None and left[sid] > 0 and draw(st.integers(0, 3)) == 0:
            pins[a.id] = {sid}
            left[sid] -= 1
    return attendees, sessions, pins


fast = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(instances())
def test_matches_brute_force_optimum_and_tie_rule(instance):
    attendees, sessions, pins = instance
    result = solve(attendees, sessions, pins)
    check_feasible(attendees, sessions, result, pins)
    assert score(attendees, sessions, result.assignments, pins) == brute_force(attendees, sessions, pins)


@settings(max_examples=40, deadline=None)
@given(instances())
def test_fallback_tie_rule_is_still_optimal(instance):
    attendees, sessions, pins = instance
    with mock.patch.object(solver, "_optimal_face", return_value=None):
        result = solve(attendees, sessions, pins)
    check_feasible(attendees, sessions, result, pins)
    assert score(attendees, sessions, result.assignments, pins)[:2] == brute_force(attendees, sessions, pins)[:2]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_medium_instances_feasible_and_not_worse_than_greedy(seed):
    attendees, sessions = random_case(seed, n_attendees=40, slots=3, per_slot=4)
    pins = {a.id: {s.id} for a, s in zip(attendees[:5], sessions[::2], strict=False) if s.capacity > 0}
    result = solve(attendees, sessions, pins)
    check_feasible(attendees, sessions, result, pins)
    unpinned = solve(attendees, sessions)
    optimum = score(attendees, sessions, unpinned.assignments)
    greedy = score(attendees, sessions, first_come_first_served(attendees, sessions))
    assert (-optimum[0], optimum[1]) <= (-greedy[0], greedy[1])


def random_case(seed, n_attendees, slots, per_slot):
    rng = random.Random(seed)
    sessions = [
        SessionInput(id=slot * 10 + j, slot=slot, capacity=rng.randint(0, n_attendees // 2))
        for slot in range(1, slots + 1)
        for j in range(per_slot)
    ]
    attendees = [
        AttendeeInput(
            id=i,
            preferences=tuple(rng.sample([s.id for s in sessions], rng.randint(0, 6))),
            registered_order=rng.randint(0, 5),
            accepts_unranked=rng.random() < 0.8,
        )
        for i in range(n_attendees)
    ]
    return attendees, sessions


# --- determinism ------------------------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_same_input_same_output_whatever_the_order(seed):
    attendees, sessions = random_case(seed, n_attendees=30, slots=2, per_slot=3)
    pins = {a.id: {s.id} for a, s in zip(attendees[:3], sessions, strict=False) if s.capacity > 0}
    first = solve(attendees, sessions, pins)
    assert solve(attendees, sessions, pins) == first
    rng = random.Random(seed)
    shuffled_pins = dict(rng.sample(list(pins.items()), len(pins)))
    again = solve(rng.sample(attendees, len(attendees)), rng.sample(sessions, len(sessions)), shuffled_pins)
    assert again.assignments == first.assignments
    assert again.slots == first.slots


# --- explicit cases ---------------------------------------------------------------------------------

A, B, C = 1, 2, 3


def test_beats_greedy_on_satisfaction():
    # Ann registers first and would be happy in B; Bob only cares about A. Greedy gives Ann A, Bob an
    # unranked B; the optimum swaps them.
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 1)]
    attendees = [AttendeeInput(1, (A, B), registered_order=0), AttendeeInput(2, (A,), registered_order=1)]
    greedy = score(attendees, sessions, first_come_first_served(attendees, sessions))
    result = solve(attendees, sessions)
    assert result.assignments == {1: {1: B}, 2: {1: A}}
    assert (result.placements, result.rank_cost) == (2, 1)
    assert greedy[:2] == (2, 2)


def test_beats_greedy_on_placements():
    # Bob only accepts A. Greedy seats Ann in A first and Bob goes without; the optimum seats both.
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 1)]
    attendees = [
        AttendeeInput(1, (A,), registered_order=0),
        AttendeeInput(2, (A,), registered_order=1, accepts_unranked=False),
    ]
    greedy = score(attendees, sessions, first_come_first_served(attendees, sessions))
    result = solve(attendees, sessions)
    assert greedy[0] == 1
    assert result.placements == 2
    assert result.assignments == {1: {1: B}, 2: {1: A}}


def test_beats_greedy_on_a_chain():
    # Each later attendee's only wish is the earlier one's first choice: greedy cascades everyone down.
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 1), SessionInput(C, 1, 1)]
    attendees = [
        AttendeeInput(1, (A, B, C), registered_order=0),
        AttendeeInput(2, (A, B), registered_order=1, accepts_unranked=False),
        AttendeeInput(3, (A,), registered_order=2, accepts_unranked=False),
    ]
    greedy = score(attendees, sessions, first_come_first_served(attendees, sessions))
    result = solve(attendees, sessions)
    assert greedy[0] == 2
    assert result.assignments == {1: {1: C}, 2: {1: B}, 3: {1: A}}
    assert result.slots[1].by_choice == {1: 1, 2: 1, 3: 1}


@pytest.mark.parametrize(
    ("orders", "winner"),
    [((0, 1), 1), ((1, 0), 2), ((5, 5), 1)],  # earlier registration wins; equal order: the lower id
)
def test_equal_claims_go_to_the_earlier_registrant(orders, winner):
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 1), SessionInput(C, 1, 1)]
    attendees = [AttendeeInput(1, (A, B), registered_order=orders[0]), AttendeeInput(2, (A, C), registered_order=orders[1])]
    result = solve(attendees, sessions)
    assert result.assignments[winner] == {1: A}
    assert solve(list(reversed(attendees)), list(reversed(sessions))).assignments == result.assignments


def test_the_earlier_registrant_keeps_the_last_seat():
    sessions = [SessionInput(A, 1, 1)]
    attendees = [AttendeeInput(7, (), registered_order=2), AttendeeInput(8, (), registered_order=1)]
    result = solve(attendees, sessions)
    assert result.assignments == {7: {}, 8: {1: A}}
    assert result.slots[1].unplaced == (7,)
    assert result.slots[1].unranked == 1


def test_pins_take_seats_first_even_unranked():
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 2)]
    attendees = [AttendeeInput(1, (B,), registered_order=0), AttendeeInput(2, (A,), registered_order=1)]
    result = solve(attendees, sessions, pins={1: A})
    assert result.assignments == {1: {1: A}, 2: {1: B}}
    summary = result.slots[1]
    assert summary.pinned == 1
    assert summary.fill[A] == solver.SessionFill(assigned=1, capacity=1, pinned=1)
    assert (summary.unranked, summary.by_choice[1]) == (2, 0)


def test_pins_in_several_slots_and_as_a_plain_id():
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 2, 1), SessionInput(C, 2, 1)]
    attendees = [AttendeeInput(1, (A, C)), AttendeeInput(2, (A, B))]
    result = solve(attendees, sessions, pins={2: [A, C]})
    assert result.assignments == {1: {2: B}, 2: {1: A, 2: C}}
    assert solve(attendees, sessions, pins={2: A}).assignments[2][1] == A


def test_pins_that_overfill_a_session_are_reported():
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 0)]
    attendees = [AttendeeInput(1), AttendeeInput(2), AttendeeInput(3)]
    with pytest.raises(PinnedOverCapacityError) as caught:
        solve(attendees, sessions, pins={1: A, 2: A, 3: B})
    assert caught.value.overflows == {A: (2, 1), B: (1, 0)}
    assert "session 1 has 2 pinned attendees but only 1 seats" in str(caught.value)
    assert isinstance(caught.value, AssignmentInputError)


@pytest.mark.parametrize(
    ("attendees", "sessions", "pins", "message"),
    [
        ([AttendeeInput(1, (9,))], [SessionInput(A, 1, 1)], {}, "unknown session 9"),
        ([AttendeeInput(1, (A, A))], [SessionInput(A, 1, 1)], {}, "ranks a session twice"),
        ([AttendeeInput(1), AttendeeInput(1)], [SessionInput(A, 1, 1)], {}, "share an id"),
        ([AttendeeInput(1)], [SessionInput(A, 1, 1), SessionInput(A, 2, 1)], {}, "share an id"),
        ([AttendeeInput(1)], [SessionInput(A, 1, -1)], {}, "negative capacity"),
        ([AttendeeInput(1)], [SessionInput(A, 1, 1)], {2: A}, "unknown attendee 2"),
        ([AttendeeInput(1)], [SessionInput(A, 1, 1)], {1: 9}, "unknown session 9"),
        ([AttendeeInput(1)], [SessionInput(A, 1, 1), SessionInput(B, 1, 1)], {1: [A, B]}, "same time slot"),
    ],
)
def test_bad_input_is_explained(attendees, sessions, pins, message):
    with pytest.raises(AssignmentInputError, match=message):
        solve(attendees, sessions, pins)


def test_summary_counts_and_description():
    sessions = [SessionInput(A, 1, 2), SessionInput(B, 1, 1), SessionInput(C, 2, 1)]
    attendees = [
        AttendeeInput(1, (A, B, C)),
        AttendeeInput(2, (A,)),
        AttendeeInput(3, (B, A)),
        AttendeeInput(4, (), accepts_unranked=False),
    ]
    result = solve(attendees, sessions)
    one = result.slots[1]
    assert one.by_choice == {1: 3, 2: 0}
    assert (one.unranked, one.unplaced, one.rank_cost) == (0, (4,), 0)
    assert result.slots[2].placements == 1
    assert result.by_choice() == {1: 4, 2: 0}
    assert (result.unplaced_count, result.unranked) == (4, 0)
    assert "slot 1: 1st: 3, 2nd: 0, unranked: 0, no seat: 1 (pinned 0); fill #1 2/2, #2 1/1" in result.describe()


def test_no_attendees_or_no_seats():
    assert solve([], [SessionInput(A, 1, 3)]).slots[1].fill[A].assigned == 0
    result = solve([AttendeeInput(1, (A,))], [SessionInput(A, 1, 0)])
    assert result.assignments == {1: {}}
    assert result.slots[1].unplaced == (1,)


def test_many_parallel_sessions_use_the_fallback_tie_rule(monkeypatch):
    monkeypatch.setattr(solver, "_MAX_EXACT_TIE_SESSIONS", 1)
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 1)]
    attendees = [AttendeeInput(1, (A, B), registered_order=1), AttendeeInput(2, (A, B), registered_order=0)]
    # Same pattern: the within-pattern rule still gives the earlier registrant the better seat.
    assert solve(attendees, sessions).assignments == {1: {1: B}, 2: {1: A}}


# --- the late-registration helper -------------------------------------------------------------------


def test_best_open_seats():
    sessions = [SessionInput(A, 1, 1), SessionInput(B, 1, 3), SessionInput(C, 1, 3), SessionInput(4, 2, 1)]
    fill = {A: 1, B: 1, 4: 1}
    assert best_open_seats(AttendeeInput(1, (A, C, B)), sessions, fill) == {1: C}
    # Nothing ranked is open: the roomiest session (C: 3 free) rather than B (2 free).
    assert best_open_seats(AttendeeInput(1, (A,)), sessions, fill) == {1: C}
    assert best_open_seats(AttendeeInput(1, (A,), accepts_unranked=False), sessions, fill) == {}
    assert best_open_seats(AttendeeInput(1, (4, B)), sessions, {}) == {1: B, 2: 4}


def test_best_open_seats_never_moves_anyone():
    attendees, sessions = random_case(3, n_attendees=30, slots=2, per_slot=3)
    result = solve(attendees, sessions)
    fill = {sid: f.assigned for s in result.slots.values() for sid, f in s.fill.items()}
    late = AttendeeInput(999, tuple(s.id for s in sessions))
    seats = best_open_seats(late, sessions, fill)
    capacity = {s.id: s.capacity for s in sessions}
    for sid in seats.values():
        assert fill[sid] < capacity[sid]
    for slot, slot_sessions in by_slot(sessions).items():
        has_room = any(fill[s.id] < s.capacity for s in slot_sessions)
        assert (slot in seats) == has_room
