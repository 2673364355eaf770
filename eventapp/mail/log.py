"""One event's mail log for its organisers: counts by status, failures grouped by reason, and the letters a page
at a time (newest first), each page one query and one count whatever the size of the event."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, MailStatus, OutboundMail

PER_PAGE = 50
# Parts of an error that differ from letter to letter (addresses, ids, numbers) but not from reason to reason.
_VARIABLE = re.compile(r"<[^>]*>|\S+@\S+|\b[0-9a-f]{8,}\b|\b\d{5,}\b", re.IGNORECASE)


def reason_of(error: str | None) -> str:
    """The reason a letter failed, as a heading: its first line, with what is particular to one letter taken out."""
    first = (error or "No reason recorded").strip().splitlines()[0] if (error or "").strip() else "No reason recorded"
    return re.sub(r"\s+", " ", _VARIABLE.sub("…", first)).strip()[:200]


@dataclass
class FailureGroup:
    reason: str
    count: int = 0
    latest: datetime | None = None
    kinds: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class MailPage:
    items: list[OutboundMail]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def counts(event: Event) -> dict[MailStatus, int]:
    found = dict(db.session.execute(
        select(OutboundMail.status, func.count()).where(OutboundMail.event_id == event.id)
        .group_by(OutboundMail.status)).all())
    return {status: found.get(status, 0) for status in MailStatus}


def failures_by_reason(event: Event) -> list[FailureGroup]:
    """The failed letters grouped by reason, the most common first; one query grouped by the stored error."""
    groups: dict[str, FailureGroup] = {}
    rows = db.session.execute(
        select(OutboundMail.last_error, OutboundMail.kind, func.count(), func.max(OutboundMail.created_at))
        .where(OutboundMail.event_id == event.id, OutboundMail.status == MailStatus.FAILED)
        .group_by(OutboundMail.last_error, OutboundMail.kind)
    ).all()
    for error, kind, count, latest in rows:
        group = groups.setdefault(reason_of(error), FailureGroup(reason_of(error)))
        group.count += count
        group.kinds.add(kind)
        if latest is not None and (group.latest is None or latest > group.latest):
            group.latest = latest
    return sorted(groups.values(), key=lambda g: (-g.count, g.reason))


def kinds(event: Event) -> list[str]:
    return list(db.session.execute(select(OutboundMail.kind).where(OutboundMail.event_id == event.id)
                                   .distinct().order_by(OutboundMail.kind)).scalars())


def mail_page(event: Event, status: MailStatus | None = None, kind: str = "", page: int = 1,
              per_page: int = PER_PAGE) -> MailPage:
    conditions = [OutboundMail.event_id == event.id]
    if status is not None:
        conditions.append(OutboundMail.status == status)
    if kind:
        conditions.append(OutboundMail.kind == kind)
    total = db.session.execute(select(func.count()).select_from(OutboundMail).where(*conditions)).scalar_one()
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    items = db.session.execute(
        select(OutboundMail).where(*conditions)
        .order_by(OutboundMail.created_at.desc(), OutboundMail.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).scalars().all()
    return MailPage(list(items), total, page, per_page)

