"""The report's annex: the participating organisations, and by name only the people who agreed to be listed."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from ..countries import country_name
from ..extensions import db
from ..models import ORGANISATION_KIND_LABELS, Event, Organisation, OrganisationKind, Registration, RegistrationStatus
from .figures import CheckInRow


def kind_label(kind: str) -> str:
    """An organisation kind as people read it ("Government ministry or agency"), or as stored if unknown."""
    try:
        return ORGANISATION_KIND_LABELS[OrganisationKind(kind)]
    except ValueError:
        return kind


# Bidi classes that read left to right inside a left-to-right paragraph and cannot move the text around them.
_LTR_SAFE = frozenset({"L", "EN", "ES", "ET", "CS", "NSM", "BN", "WS", "ON"})


@lru_cache(maxsize=4096)
def _char_is_ltr_safe(char: str) -> bool:
    return unicodedata.bidirectional(char) in _LTR_SAFE


def needs_isolation(name: str) -> bool:
    """Whether a name, set among others in a left-to-right list, must be isolated to keep the list in order."""
    return not (name.isascii() and name.isprintable()) and not all(_char_is_ltr_safe(c) for c in name)


@dataclass
class AnnexOrganisation:
    name: str
    kind: str
    country: str
    names: list[str] = field(default_factory=list)  # only people who agreed to be listed
    unlisted: int = 0

    @property
    def participants(self) -> int:
        return len(self.names) + self.unlisted

    @property
    def names_text(self) -> str:
        """The names as one run of text (one text box lays out far faster than thousands of elements). A name
        that could reorder the text around it (right-to-left letters, Arabic digits, bidi controls) is isolated
        (U+2068 ... U+2069), so the commas stay in place; left-to-right names are not, as every isolate costs
        WeasyPrint a run of its own (an eighth of the annex's drawing time when all 8,000 names had one)."""
        return ", ".join(f"\u2068{name}\u2069" if needs_isolation(name) else name for name in self.names)


@dataclass(frozen=True)
class Annex:
    organisations: list[AnnexOrganisation]
    by_check_in: bool  # False: no check-ins were recorded, so the annex lists who registered

    @property
    def participants(self) -> int:
        return sum(o.participants for o in self.organisations)

    @property
    def listed(self) -> int:
        return sum(len(o.names) for o in self.organisations)


def annex(event: Event, check_ins: list[CheckInRow]) -> Annex:
    """Participating organisations, and by name only the people who consented (consent_listed).

    Participants are the confirmed registrations with a live check-in; when the event recorded no check-in at
    all, the confirmed registrations (and the annex says so). `check_ins`: the figures' rows (figure_rows)."""
    present = {c.registration_id for c in check_ins}
    query = (
        select(Registration.id, Registration.full_name, Registration.family_name, Registration.consent_listed,
               Organisation.name, Organisation.kind, Organisation.country)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
    )
    groups: dict[str, AnnexOrganisation] = {}
    sort_keys: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rid, full_name, family_name, listed, org_name, kind, country in db.session.execute(query):
        if present and rid not in present:
            continue
        key = org_name or ""
        group = groups.get(key)
        if group is None:
            group = groups[key] = AnnexOrganisation(
                name=org_name or "Independent or no organisation given",
                kind=kind_label(kind.value if hasattr(kind, "value") else kind) if kind else "",
                country=country_name(country) if country else "",
            )
        if listed:
            sort_keys[key].append(((family_name or full_name).casefold() + "\0" + full_name.casefold(), full_name))
        else:
            group.unlisted += 1
    for key, group in groups.items():
        group.names = [name for _, name in sorted(sort_keys[key])]
    # Alphabetical, with the people of no organisation last.
    ordered = [g for _, g in sorted(groups.items(), key=lambda item: (item[0] == "", item[0].casefold()))]
    return Annex(organisations=ordered, by_check_in=bool(present))
