"""Benchmark of the session-assignment solver against first-come-first-served, with an optimality cross-check.

Run: .venv/bin/python benchmarks/assignment.py (times are the best of three runs).
"""

import random
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's eventapp, even without `make install`

from eventapp.assignment.solver import (  # noqa: E402
    AttendeeInput,
    SessionInput,
    best_open_seats,
    solve,
)


def make_case(seed: int, n_attendees: int, capacities_by_slot: list[list[int]], popularity: list[float]):
    """Random ranked preferences: per slot each attendee ranks 0 to 3 sessions (registration allows 20
    ranks in all), popular ones more often and higher; 5% only accept sessions they ranked.

    Returns (attendees, sessions)."""
    rng = random.Random(seed)
    sessions = []
    for slot, capacities in enumerate(capacities_by_slot, start=1):
        sessions += [SessionInput(id=slot * 100 + j, slot=slot, capacity=c) for j, c in enumerate(capacities)]
    attendees = []
    for a in range(n_attendees):
        prefs: list[int] = []
        for slot, capacities in enumerate(capacities_by_slot, start=1):
            k = len(capacities)
            length = rng.choices(range(4), weights=[1, 2, 3, 4])[0]
            pool = [slot * 100 + j for j in range(k)]
            weights = popularity[:k]
            for _ in range(length):
                pick = rng.choices(range(len(pool)), weights=weights)[0]
                prefs.append(pool.pop(pick))
                weights = weights[:pick] + weights[pick + 1 :]
        attendees.append(
            AttendeeInput(
                id=a + 1, preferences=tuple(prefs), registered_order=a, accepts_unranked=rng.random() >= 0.05
            )
        )
    return attendees, sessions


def first_come_first_served(attendees, sessions) -> dict[int, dict[int, int]]:
    """The baseline: in registration order, each attendee takes their best open seat in every slot."""
    fill: dict[int, int] = {}
    assignments = {}
    for a in sorted(attendees, key=lambda a: (a.registered_order, a.id)):
        seats = best_open_seats(a, sessions, fill)
        for sid in seats.values():
            fill[sid] = fill.get(sid, 0) + 1
        assignments[a.id] = seats
    return assignments


def score(attendees, sessions, assignments) -> tuple[int, int, dict[str, int]]:
    """(placements, rank cost, choice histogram) computed independently of the solver's own summary."""
    slot_of = {s.id: s.slot for s in sessions}
    k_of = {slot: sum(1 for s in sessions if s.slot == slot) for slot in slot_of.values()}
    placements = cost = 0
    histogram: dict[str, int] = {}
    for a in attendees:
        for slot, sid in assignments[a.id].items():
            ranked = [p for p in a.preferences if slot_of[p] == slot]
            placements += 1
            label = f"{ranked.index(sid) + 1}" if sid in ranked else "unranked"
            cost += ranked.index(sid) if sid in ranked else k_of[slot]
            histogram[label] = histogram.get(label, 0) + 1
        histogram["no seat"] = histogram.get("no seat", 0) + len(k_of) - len(assignments[a.id])
    return placements, cost, histogram


def lp_optimum(attendees, sessions) -> tuple[int, int]:
    """A second method: one LP per slot over every (attendee, session) pair, no aggregation, interior point.

    Returns (placements, rank cost) of its optimum, to compare with the solver's."""
    total_placed = total_cost = 0
    for slot in sorted({s.slot for s in sessions}):
        slot_sessions = [s for s in sessions if s.slot == slot]
        k, n = len(slot_sessions), len(attendees)
        column = {s.id: j for j, s in enumerate(slot_sessions)}
        cost = np.full((n, k), k, dtype=np.int64)
        for i, a in enumerate(attendees):
            if not a.accepts_unranked:
                cost[i] = -1
            for rank, sid in enumerate(p for p in a.preferences if p in column):
                cost[i, column[sid]] = rank
        rows, cols = np.nonzero(cost >= 0)
        seat_value = n * k + 1
        cells = np.arange(rows.size)
        matrix = csr_array(
            (np.ones(2 * rows.size), (np.concatenate([rows, n + cols]), np.concatenate([cells, cells]))),
            shape=(n + k, rows.size),
        )
        capacity = [s.capacity for s in slot_sessions]
        res = linprog(
            cost[rows, cols] - seat_value, A_ub=matrix, b_ub=np.concatenate([np.ones(n), capacity]),
            bounds=(0, None), method="highs-ipm",
        )
        objective = round(res.fun)
        # objective = cost - placed * seat_value with 0 <= cost < seat_value
        placed = -((objective - 1) // seat_value) if objective < 0 else 0
        total_placed += placed
        total_cost += objective + placed * seat_value
    return total_placed, total_cost


def histogram_text(histogram: dict[str, int]) -> str:
    keys = sorted((k for k in histogram if k.isdigit()), key=int) + ["unranked", "no seat"]
    return ", ".join(f"{k}: {histogram.get(k, 0)}" for k in keys)


def timed(function, *args, repeat: int = 1):
    """(result, wall seconds, CPU seconds), the best of ``repeat`` runs: the machine is shared, so CPU
    time is the steadier figure."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return result, best_wall, best_cpu


def run(name: str, attendees, sessions) -> None:
    print(f"\n== {name}: {len(attendees)} attendees, {len(sessions)} sessions in "
          f"{len({s.slot for s in sessions})} slot(s), {sum(s.capacity for s in sessions)} seats")
    result, solve_wall, solve_cpu = timed(solve, attendees, sessions, repeat=3)
    greedy, greedy_wall, greedy_cpu = timed(first_come_first_served, attendees, sessions, repeat=3)

    opt = score(attendees, sessions, result.assignments)
    fcfs = score(attendees, sessions, greedy)
    assert (opt[0], opt[1]) == (result.placements, result.rank_cost), "the solver's summary disagrees"
    for label, (placed, cost, histogram), wall, cpu in [
        ("optimal", opt, solve_wall, solve_cpu),
        ("FCFS", fcfs, greedy_wall, greedy_cpu),
    ]:
        print(f"  {label:8s} {wall * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU  placements {placed:6d}  "
              f"rank cost {cost:6d}  [{histogram_text(histogram)}]")
    print(f"  time optimal/FCFS: {solve_wall / greedy_wall:.1f}x wall, {solve_cpu / greedy_cpu:.1f}x CPU; "
          f"FCFS places {opt[0] - fcfs[0]} fewer and costs {fcfs[1] - opt[1]} more rank units")
    lines = result.describe().splitlines()
    for line in lines[:2]:
        print("  " + line)
    if len(lines) > 2:
        print(f"  ... and {len(lines) - 2} more slots")
    check, check_wall, _ = timed(lp_optimum, attendees, sessions)
    status = "equal" if check == (opt[0], opt[1]) else f"MISMATCH: {check}"
    print(f"  optimum cross-checked by a per-attendee LP per slot ({check_wall:.1f} s): {status}")


def main() -> None:
    brief_attendees, brief_sessions = make_case(2018, 80, [[30, 30, 30]], [6, 2, 1])
    run("the brief: 3 parallel themed sessions, one popular", brief_attendees, brief_sessions)
    big_attendees, big_sessions = make_case(1, 10_000, [[3500, 3500, 3500]], [6, 2, 1])
    run("10,000 x 3 sessions, one slot", big_attendees, big_sessions)
    slot_capacities = [[2500, 2000, 2000, 1500, 1500, 1000]] * 9 + [[2000, 2000, 1500, 1500, 1000, 1000]]
    multi_attendees, multi_sessions = make_case(7, 10_000, slot_capacities, [8, 5, 3, 2, 1, 1])
    run("10,000 over 10 slots x 6 parallel sessions", multi_attendees, multi_sessions)


if __name__ == "__main__":
    main()
