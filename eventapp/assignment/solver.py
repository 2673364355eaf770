"""Pure session-assignment solver: ranked preferences, capacities and pins in; an optimal, fair seating out.

Library: SciPy's HiGHS LP solver (``scipy.optimize.linprog``, dual simplex). SciPy is already a dependency,
whereas OR-Tools brings a ~20 MB wheel plus pandas, protobuf and absl, and NetworkX's flow solvers are pure
Python. Each slot is a transportation problem, whose totally unimodular matrix makes the simplex optimum
integral, so the LP gives an exact optimum without branch and bound.

How: with few sessions per slot, attendees who ranked that slot's sessions the same way are interchangeable
for rules 2-3, so the LP runs over those few preference patterns, not over every attendee (HiGHS is slow on
an LP with a row per attendee). The LP's dual prices mark which choices appear in some optimum; rule 4 then
picks among those in priority order with a closed-form feasibility test (see ``_serial_dictatorship``).

The rules, per time slot (slots are independent; each attendee gets at most one session per slot):

1. Pins are kept and take their seats first. If pins alone overfill a session, ``solve`` raises
   :class:`PinnedOverCapacityError` (listing every such session) instead of breaking a capacity.
2. Maximise the number of people placed; never exceed a capacity.
3. Then minimise the total rank cost: an attendee's k-th favourite among *this slot's* sessions costs
   k - 1 (first choice 0), a session they did not rank costs the slot's session count (worse than any
   ranked one, still better than no seat). Attendees with ``accepts_unranked=False`` are only ever placed
   in sessions they ranked.
4. Ties go to earlier registrants (serial dictatorship over the optimal assignments). In priority order
   ``(registered_order, id)``, earliest first, each unpinned attendee gets the best outcome they can have
   in some assignment optimal under rules 2-3, given what everyone earlier got: a higher-ranked session
   beats a lower one, the sessions they did not rank are all equally good to them, no seat is worst. So a
   later registrant never gets something an earlier one wanted instead if the totals allowed the earlier
   one to have it. Exact for up to 10 parallel sessions per slot; beyond that, ties are broken this way
   only among attendees who ranked that slot identically.

The input order of attendees, sessions or pins never matters: same input, same output.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

from .solver_types import (
    AssignmentInputError,
    AssignmentResult,
    AttendeeInput,
    PinnedOverCapacityError,
    SessionFill,
    SessionInput,
    SlotSummary,
)

Pins = Mapping[int, int | Collection[int]]  # attendee id -> pinned session id (or ids, one per slot)


def solve(
    attendees: Iterable[AttendeeInput], sessions: Iterable[SessionInput], pins: Pins | None = None
) -> AssignmentResult:
    """Assign attendees to sessions by the rules in the module docstring.

    ``pins`` maps attendee id -> session id, or several session ids (at most one per slot). Raises
    :class:`AssignmentInputError` (or its :class:`PinnedOverCapacityError`) for input it cannot honour.
    """
    problem = _Problem(list(attendees), list(sessions), pins or {})
    slots = {}
    seats = np.empty((len(problem.attendees), len(problem.sessions_by_slot)), dtype=np.int64)
    for i, (slot, slot_sessions) in enumerate(problem.sessions_by_slot.items()):
        seats[:, i], slots[slot] = _solve_slot(problem, slot, slot_sessions)
    session_ids = [(slot, [s.id for s in in_slot]) for slot, in_slot in problem.sessions_by_slot.items()]
    assignments = {
        a.id: {slot: ids[j] for (slot, ids), j in zip(session_ids, row, strict=True) if j >= 0}
        for a, row in zip(problem.attendees, seats.tolist(), strict=True)
    }
    return AssignmentResult(assignments=assignments, slots=slots)


def best_open_seats(
    attendee: AttendeeInput, sessions: Iterable[SessionInput], fill: Mapping[int, int]
) -> dict[int, int]:
    """Seat one late registration without moving anyone: {slot: session id} for every slot with an open seat.

    ``fill`` maps session id -> seats already taken (missing means 0). Pass only the sessions of slots the
    attendee still needs. In each slot this is their best-ranked session with a free seat; failing that (and
    if they accept unranked sessions) the open session with the most free seats, then the lowest id.
    """
    open_by_slot: dict[int, list[SessionInput]] = {}
    for s in sessions:
        if fill.get(s.id, 0) < s.capacity:
            open_by_slot.setdefault(s.slot, []).append(s)
    seats = {}
    for slot, open_sessions in open_by_slot.items():
        open_ids = {s.id for s in open_sessions}
        ranked = [sid for sid in attendee.preferences if sid in open_ids]
        if ranked:
            seats[slot] = ranked[0]
        elif attendee.accepts_unranked:
            roomiest = min(open_sessions, key=lambda s: (fill.get(s.id, 0) - s.capacity, s.id))
            seats[slot] = roomiest.id
    return dict(sorted(seats.items()))


class _Problem:
    """Validated input in a canonical order (attendees by priority, sessions by slot and id), so results
    never depend on the order things were passed in."""

    def __init__(self, attendees: list[AttendeeInput], sessions: list[SessionInput], pins: Pins):
        self.attendees = sorted(attendees, key=lambda a: (a.registered_order, a.id))
        self.position = {a.id: i for i, a in enumerate(self.attendees)}
        self.accepts_unranked = [a.accepts_unranked for a in self.attendees]
        _require(len(self.position) == len(attendees), "two attendees share an id")
        self.sessions = {s.id: s for s in sessions}
        _require(len(self.sessions) == len(sessions), "two sessions share an id")
        self.sessions_by_slot: dict[int, list[SessionInput]] = {}
        for s in sorted(sessions, key=lambda s: (s.slot, s.id)):
            _require(s.capacity >= 0, f"session {s.id} has a negative capacity ({s.capacity})")
            self.sessions_by_slot.setdefault(s.slot, []).append(s)
        # A session's column is its index among its slot's sessions. rankings[slot][i] holds the columns the
        # i-th attendee (in priority order) ranked in that slot, favourite first.
        place = {s.id: (s.slot, j) for group in self.sessions_by_slot.values() for j, s in enumerate(group)}
        self.column = {sid: j for sid, (_, j) in place.items()}
        self.rankings: dict[int, list[tuple[int, ...]]] = {}
        for slot in self.sessions_by_slot:
            self.rankings[slot] = [()] * len(attendees)
        for i, a in enumerate(self.attendees):
            if len(set(a.preferences)) != len(a.preferences):
                raise AssignmentInputError(f"attendee {a.id} ranks a session twice")
            for sid in a.preferences:
                if sid not in place:
                    raise AssignmentInputError(f"attendee {a.id} ranks unknown session {sid}")
                slot, j = place[sid]
                self.rankings[slot][i] += (j,)
        self.pinned = self._pins(pins)

    def _pins(self, pins: Pins) -> dict[int, dict[int, int]]:
        """slot -> {attendee position: column}; checks the ids, one pin per slot and pins vs capacity."""
        by_slot: dict[int, dict[int, int]] = {}
        counts: Counter[int] = Counter()
        for attendee_id, value in pins.items():
            _require(attendee_id in self.position, f"a pin names unknown attendee {attendee_id}")
            for sid in [value] if isinstance(value, int) else value:
                _require(sid in self.sessions, f"attendee {attendee_id} is pinned to unknown session {sid}")
                slot_pins = by_slot.setdefault(self.sessions[sid].slot, {})
                _require(
                    slot_pins.get(self.position[attendee_id], self.column[sid]) == self.column[sid],
                    f"attendee {attendee_id} is pinned to two sessions in the same time slot",
                )
                if self.position[attendee_id] not in slot_pins:
                    counts[sid] += 1
                slot_pins[self.position[attendee_id]] = self.column[sid]
        capacity = {sid: self.sessions[sid].capacity for sid in counts}
        overflows = {sid: (n, capacity[sid]) for sid, n in counts.items() if n > capacity[sid]}
        if overflows:
            raise PinnedOverCapacityError(overflows)
        return by_slot


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssignmentInputError(message)


def _solve_slot(problem: _Problem, slot: int, sessions: list[SessionInput]) -> tuple[np.ndarray, SlotSummary]:
    """Each attendee's column in this slot (-1: no seat), in priority order, and the slot's summary."""
    n, k = len(problem.attendees), len(sessions)
    capacity = np.array([s.capacity for s in sessions], dtype=np.int64)

    # Attendees who ranked this slot's sessions the same way are interchangeable for rules 2-3, so the LP
    # works on these patterns: patterns[p, j] is the rank cost of column j (k if unranked), -1 if barred.
    keys = list(zip(problem.accepts_unranked, problem.rankings[slot], strict=True))
    index = {key: p for p, key in enumerate(sorted(set(keys)))}
    pattern_of = np.array([index[key] for key in keys], dtype=np.int64)
    patterns = np.full((len(index), k), k, dtype=np.int64)
    for (accepts_unranked, ranked), p in index.items():
        if not accepts_unranked:
            patterns[p] = -1
        patterns[p, list(ranked)] = np.arange(len(ranked))

    seat = np.full(n, -1, dtype=np.int64)
    pinned = problem.pinned.get(slot, {})
    seat[list(pinned)] = list(pinned.values())
    free = np.flatnonzero(seat < 0)
    remaining = capacity - np.bincount(seat[seat >= 0], minlength=k)
    if free.size and remaining.any():
        seat[free] = _assign(pattern_of[free], patterns, remaining)
    rank = patterns[pattern_of, np.maximum(seat, 0)]
    return seat, _summary(problem, slot, sessions, seat, rank, len(pinned))


def _assign(pattern_of: np.ndarray, patterns: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Rules 2-4 for the unpinned attendees (in priority order): each one's column, -1 for no seat."""
    n, k = pattern_of.size, patterns.shape[1]
    size = np.bincount(pattern_of, minlength=len(patterns))
    # Rules 2-3 as one objective: a seat is worth more than all the rank cost the other seats could lose.
    seat_value = n * k + 1
    placed, price, pattern_price = _transport(patterns >= 0, patterns - seat_value, size, capacity)
    face = _optimal_face(patterns, size, capacity, seat_value, placed, price, pattern_price)
    if face is None or k > _MAX_EXACT_TIE_SESSIONS:
        return _spread_within_patterns(pattern_of, patterns, placed)
    return _serial_dictatorship(pattern_of, patterns, capacity, *face)


# Rule 4 tracks 2 * 2 ** (sessions in the slot) feasibility conditions per kind of decision.
_MAX_EXACT_TIE_SESSIONS = 10


def _transport(
    allowed: np.ndarray, cell_cost: np.ndarray, supply: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve a transportation LP with HiGHS: row r sends up to ``supply[r]`` units along ``allowed`` cells
    to columns holding up to ``capacity``, minimising the total ``cell_cost``.

    Returns the integral flow matrix, the column prices and the row prices (non-negative LP duals).
    """
    n_rows, n_cols = allowed.shape
    rows, cols = np.nonzero(allowed)
    flow = np.zeros(allowed.shape, dtype=np.int64)
    if rows.size == 0:
        return flow, np.zeros(n_cols), np.zeros(n_rows)
    cells = np.arange(rows.size)
    matrix = csr_array(  # one row per supply row, then one per column; one matrix column per cell
        (np.ones(2 * rows.size), (np.concatenate([rows, n_rows + cols]), np.concatenate([cells, cells]))),
        shape=(n_rows + n_cols, rows.size),
    )
    res = linprog(
        cell_cost[rows, cols].astype(float),
        A_ub=matrix,
        b_ub=np.concatenate([supply, capacity]).astype(float),
        bounds=(0, None),
        method="highs-ds",  # simplex: a vertex, hence integral on this totally unimodular matrix
    )
    if res.status != 0:
        raise RuntimeError(f"HiGHS could not solve the assignment: {res.message}")
    values = np.rint(res.x).astype(np.int64)
    if not np.allclose(values, res.x, atol=1e-6):
        raise RuntimeError("HiGHS returned a fractional assignment")
    flow[rows, cols] = values
    duals = -res.ineqlin.marginals
    return flow, duals[n_rows:], duals[:n_rows]


def _optimal_face(
    patterns: np.ndarray,
    size: np.ndarray,
    capacity: np.ndarray,
    seat_value: int,
    placed: np.ndarray,
    price: np.ndarray,
    pattern_price: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Which cells, skips and fills occur in *some* optimum of rules 2-3: (tight cells, patterns that must
    all be placed, sessions that must be full), or None if the dual fails to certify the optimum.

    By complementary slackness with one optimal dual (integral here, as the matrix is totally unimodular),
    a feasible assignment is optimal exactly when it uses only zero-reduced-cost cells, fills every session
    with a positive price and places everyone whose pattern has a positive price.
    """
    price, pattern_price = np.rint(price), np.rint(pattern_price)
    reduced = np.where(patterns >= 0, patterns - seat_value + price + pattern_price[:, None], np.inf)
    placed_per_pattern, filled = placed.sum(axis=1), placed.sum(axis=0)
    must_place, must_fill = pattern_price > 0, price > 0
    certified = (
        (reduced >= 0).all()
        and (price >= 0).all()
        and (pattern_price >= 0).all()
        and (reduced[placed > 0] == 0).all()
        and (placed_per_pattern[must_place] == size[must_place]).all()
        and (filled[must_fill] == capacity[must_fill]).all()
    )
    return (reduced == 0, must_place, must_fill) if certified else None


def _serial_dictatorship(
    pattern_of: np.ndarray,
    patterns: np.ndarray,
    capacity: np.ndarray,
    tight: np.ndarray,
    must_place: np.ndarray,
    must_fill: np.ndarray,
) -> np.ndarray:
    """Rule 4: each attendee's column (-1: no seat), deciding in priority order within the optimal face.

    Each attendee takes their best choice that leaves everyone after them a feasible completion. That is a
    bipartite supply/demand question: by the Gale-Hoffman theorem a completion exists iff for every set S
    of sessions (a) the people who can only sit in S fit into S's free seats and (b) the seats of S that
    must be filled can be filled by the people who can sit in S. Deciding a person just moves the 2 * 2**k
    slacks of those inequalities, so a decision is a vector addition. What a person may still become is a
    "holder": a bitmask of sessions and whether no seat is allowed. A pattern is a holder (all its optimal
    options); so is each choice: one bit for a session, several for a group of sessions it is indifferent
    about (those it did not rank), 0 for no seat.
    """
    k = patterns.shape[1]
    # Each pattern's choices, best first: its ranked tight sessions, then its tight unranked sessions as
    # one group, then no seat (if the face allows it).
    choices = []
    for p, row in enumerate(patterns):
        columns = np.flatnonzero(tight[p])
        ranked = [1 << int(j) for j in columns[np.argsort(row[columns], kind="stable")] if row[j] < k]
        unranked = sum(1 << int(j) for j in columns if row[j] == k)
        choices.append(ranked + ([unranked] if unranked else []) + ([] if must_place[p] else [0]))
    starts = [(sum(options), not must_place[p]) for p, options in enumerate(choices)]
    singles = [(1 << j, False) for j in range(k)]
    holders = sorted(set(starts) | {(m, m == 0) for options in choices for m in options} | set(singles))
    row_of = {h: row for row, h in enumerate(holders)}

    # change[:, h]: how the slacks move for one more person held by h (slack-major: fast running sums).
    subsets = np.arange(1 << k)
    only_in = np.array([(mask & ~subsets) == 0 if not skip else subsets < 0 for mask, skip in holders])
    meets = np.array([(mask & subsets) != 0 for mask, _ in holders])
    change = np.ascontiguousarray(np.hstack([-only_in.astype(np.int64), meets]).T)
    in_subset = (subsets[:, None] >> np.arange(k)) & 1  # [S, j]
    slack = np.concatenate([in_subset @ capacity, -(in_subset @ np.where(must_fill, capacity, 0))])
    own = np.array([row_of[h] for h in starts])
    slack += change[:, own] @ np.bincount(pattern_of, minlength=len(patterns))
    if slack.min() < 0:
        raise RuntimeError("the optimal face is empty")

    # Round 1: everyone with more than one choice, in priority order.
    option_masks = _padded(choices)
    option_rows = _padded([[row_of[m, m == 0] for m in options] for options in choices])
    taken = np.array([options[0] if len(options) == 1 else -1 for options in choices])[pattern_of]
    deciding = np.flatnonzero(taken < 0)
    slack, picked = _decide(slack, change, own, option_rows, pattern_of[deciding])
    taken[deciding] = option_masks[pattern_of[deciding], picked]

    # Round 2: whoever took a group is indifferent within it; in priority order each gets the first
    # session of their group that keeps the rest feasible.
    seat = np.full(taken.size, -1, dtype=np.int64)
    single = (taken > 0) & (taken & (taken - 1) == 0)
    seat[single] = np.log2(taken[single]).astype(np.int64)
    groups = sorted({mask for options in choices for mask in options if mask & (mask - 1)})
    if groups:
        in_group = np.flatnonzero(taken & (taken - 1))
        members = [[j for j in range(k) if g >> j & 1] for g in groups]
        group_columns = _padded(members)
        group_rows = _padded([[row_of[singles[j]] for j in columns] for columns in members])
        group_of = np.searchsorted(groups, taken[in_group])
        _, picked = _decide(slack, change, np.array([row_of[g, False] for g in groups]), group_rows, group_of)
        seat[in_group] = group_columns[group_of, picked]
    return seat


def _padded(lists: list[list[int]]) -> np.ndarray:
    """A rectangular array of the lists, padded with at least one -1 each."""
    width = max(map(len, lists)) + 1
    return np.array([values + [-1] * (width - len(values)) for values in lists], dtype=np.int64)


def _decide(
    slack: np.ndarray, change: np.ndarray, own: np.ndarray, option_rows: np.ndarray, kind_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """People, in order, each take the first option of their kind that keeps every slack >= 0.

    ``own[kind]`` is the holder row people of that kind start in, ``option_rows[kind]`` the holder rows of
    its options, best first, padded with -1. An option refused once stays refused (deciding people only
    removes options), so people are tried a chunk at a time with a running sum, and a chunk is cut at the
    first person whose option no longer fits. Returns the final slacks and each person's option index.
    """
    first = np.zeros(len(option_rows), dtype=np.int64)
    picked = np.empty(kind_of.size, dtype=np.int64)
    start, chunk, largest = 0, 64, max(16, (1 << 20) // len(slack))  # bounded memory per running sum
    while start < kind_of.size:
        kinds = kind_of[start : start + chunk]
        present = np.unique(kinds)
        while True:  # first drop the options that no longer fit even one more person
            rows = option_rows[present, first[present]]
            if (rows < 0).any():  # impossible: the state was feasible and the options cover every outcome
                raise RuntimeError("no feasible choice left")
            alone = (slack[:, None] + change[:, rows] - change[:, own[present]]).min(axis=0) >= 0
            if alone.all():
                break
            first[present[~alone]] += 1
        moves = np.subtract(change[:, option_rows[kinds, first[kinds]]], change[:, own[kinds]], order="C")
        path = slack[:, None] + np.cumsum(moves, axis=1)  # [slack, person]: the slacks after each person
        fits = path.min(axis=0) >= 0
        ok = kinds.size if fits.all() else int(fits.argmin())
        picked[start : start + ok] = first[kinds[:ok]]
        if ok:
            slack = path[:, ok - 1]
        if ok < kinds.size:
            first[kinds[ok]] += 1
        start += ok
        chunk = min(chunk * 2, largest) if ok == kinds.size else max(chunk // 4, 16)
    return slack, picked


def _spread_within_patterns(pattern_of: np.ndarray, patterns: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """Fallback tie rule: hand each pattern's seats to its members, earliest first, best-ranked first."""
    seat = np.full(pattern_of.size, -1, dtype=np.int64)
    for p, row in enumerate(patterns):
        best_first = np.argsort(row, kind="stable")
        columns = np.repeat(best_first, placed[p][best_first])
        seat[np.flatnonzero(pattern_of == p)[: columns.size]] = columns
    return seat


def _summary(
    problem: _Problem, slot: int, sessions: list[SessionInput], seat: np.ndarray, rank: np.ndarray, pins: int
) -> SlotSummary:
    """``rank``: each attendee's rank cost for their seat (k unranked, -1 pinned where barred)."""
    k = len(sessions)
    placed = seat >= 0
    ranked = placed & (rank >= 0) & (rank < k)
    fill = np.bincount(seat[placed], minlength=k).tolist()
    pinned_fill = np.bincount(list(problem.pinned.get(slot, {}).values()), minlength=k).tolist()
    unranked = int((placed & ~ranked).sum())
    return SlotSummary(
        slot=slot,
        by_choice={c + 1: int(count) for c, count in enumerate(np.bincount(rank[ranked], minlength=k))},
        unranked=unranked,
        unplaced=tuple(sorted(problem.attendees[i].id for i in np.flatnonzero(~placed).tolist())),
        pinned=pins,
        rank_cost=int(rank[ranked].sum()) + k * unranked,
        fill={s.id: SessionFill(fill[j], s.capacity, pinned_fill[j]) for j, s in enumerate(sessions)},
    )
