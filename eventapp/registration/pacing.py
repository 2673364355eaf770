"""Keeps the time a sign-up takes from telling whether the address was already registered.

A new registration writes more (the registration, its ranked sessions, the capacity decision) than the letter a
taken address's owner is sent instead, so the second answer would come back a few milliseconds sooner. This
process keeps the durations of its recent sign-ups of both kinds, and a taken address's answer waits for the
difference of their medians (less what a wait usually oversleeps): its times are then those of a new sign-up,
give or take what the load adds to either. The wait comes after the commit, holding no lock and no database
connection.
"""

from __future__ import annotations

import statistics
import time
from collections import deque

RECENT = 256
# Seconds each sign-up took before any wait; appends and copies from several threads are safe on a deque.
_new: deque[float] = deque(maxlen=RECENT)
_taken: deque[float] = deque(maxlen=RECENT)
# How much longer than asked each wait took: on a busy machine a sleeping worker wakes late.
_late: deque[float] = deque(maxlen=RECENT)


def record_new(seconds: float) -> None:
    """A new registration took `seconds` to sign up."""
    _new.append(seconds)


def wait_like_a_new_one(started: float) -> float:
    """For a taken address's answer (`started`: its time.perf_counter() when the sign-up began): wait for as much
    longer as a new sign-up takes. Returns the seconds waited (0 until this process has signed someone up)."""
    took = time.perf_counter() - started
    _taken.append(took)
    if not _new:
        return 0.0
    wait = statistics.median(list(_new)) - statistics.median(list(_taken))
    if _late:
        wait -= statistics.median(list(_late))
    if wait <= 0:
        return 0.0
    began = time.perf_counter()
    time.sleep(wait)
    waited = time.perf_counter() - began
    _late.append(waited - wait)
    return waited
