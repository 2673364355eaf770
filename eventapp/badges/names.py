"""Names on badges and the order badges are printed in: the name printed largest, surnames, collation."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from ..names import guess_family_name, guess_given_name, written_without_spaces
from .fitting import collapse

if TYPE_CHECKING:
    from .layout import BadgeData

SortOrder = Literal["surname", "organisation", "session"]
SORT_ORDERS: tuple[SortOrder, ...] = ("surname", "organisation", "session")


def emphasised_name(badge: BadgeData) -> tuple[str, str]:
    """(the part printed largest, the full name printed under it, or "" when that would repeat it).

    The full name is kept whole underneath in its own order, so a wrong guess at the given name
    never loses or reorders any part of anyone's name.
    """
    full = collapse(badge.full_name)
    given = collapse(badge.given_name or "")
    family = collapse(badge.family_name or "")
    if given and given in full:
        emphasis = given
    elif family and family in full and family != full:
        emphasis = collapse(full.replace(family, " ", 1))
    elif written_without_spaces(full):
        emphasis = full
    else:
        emphasis = guess_given_name(full) or full
    return emphasis, ("" if emphasis == full else full)


def surname(badge: BadgeData) -> str:
    """The family name as best known: given, or the full name less the given name, or its last word."""
    full = collapse(badge.full_name)
    if badge.family_name and badge.family_name.strip():
        return collapse(badge.family_name)
    given = collapse(badge.given_name or "")
    if given and given in full and given != full:
        return collapse(full.replace(given, " ", 1))
    if written_without_spaces(full):
        return full
    return guess_family_name(full) or full


# --- Print order -------------------------------------------------------------------------------


def collation_key(text: str) -> str:
    """Case- and accent-insensitive: Álvarez sorts with Alvarez, not after Zhu."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _blank_last(text: str) -> tuple[bool, str]:
    key = collation_key(text)
    return (key == "", key)


def _surname_key(badge: BadgeData) -> tuple:
    return (_blank_last(surname(badge)), collation_key(badge.full_name), str(badge.registration_id))


def order_badges(badges: Iterable[BadgeData], by: SortOrder = "surname") -> list[BadgeData]:
    """The badges in print order: by surname, by organisation, or by (first) session.

    Ties fall back to surname, full name, then registration id, so the order is total and a
    reprint comes out the same. Badges without an organisation or session sort last.
    """
    if by == "surname":
        return sorted(badges, key=_surname_key)
    if by == "organisation":
        return sorted(badges, key=lambda b: (_blank_last(b.organisation), _surname_key(b)))
    if by == "session":
        return sorted(
            badges, key=lambda b: (_blank_last(b.sessions[0].title if b.sessions else ""), _surname_key(b))
        )
    raise ValueError(f"unknown badge order {by!r}; choose one of {', '.join(SORT_ORDERS)}")
