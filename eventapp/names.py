"""A person's name split into given and family name, when all anyone typed is the whole of it: one guess, made
the same way by a sign-up (which stores it) and a badge (which prints the part to emphasise)."""

from __future__ import annotations

import unicodedata


def written_without_spaces(text: str) -> bool:
    """Chinese, Japanese and similar names: kept whole, never split at a guessed boundary."""
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in text)


def guess_given_name(full_name: str) -> str | None:
    """The first word of a name; None for an empty one."""
    parts = full_name.split()
    return parts[0] if parts else None


def guess_family_name(full_name: str) -> str | None:
    """The last word of a name of several words; None for a name of one word (there is no guess to make)."""
    parts = full_name.split()
    return parts[-1] if len(parts) > 1 else None
