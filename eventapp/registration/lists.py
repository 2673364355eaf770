"""The waiting list in order, a page at a time (the registrations table is in table.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Event, Registration, RegistrationStatus


@dataclass(frozen=True)
class Page:
    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def first_position(self) -> int:
        """The 1-based position in the whole list of this page's first item."""
        return (self.page - 1) * self.per_page + 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def waiting_list(event: Event, page: int = 1, per_page: int = 100) -> Page:
    """The waiting list in order, first come first offered, a page at a time (a big event's list runs to
    thousands); an entry's place in the queue is (page - 1) * per_page + its position on the page."""
    waiting = [Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED]
    return _page_of(waiting, [Registration.waitlisted_at, Registration.id], page, per_page,
                    selectinload(Registration.organisation))


def _page_of(conditions: list, order: list, page: int, per_page: int, *options) -> Page:
    """One page of the registrations matching `conditions`, in `order`, with how many match in all."""
    total = db.session.execute(select(func.count()).select_from(Registration).where(*conditions)).scalar_one()
    page = max(1, page)
    items = db.session.execute(
        select(Registration).where(*conditions).options(*options).order_by(*order)
        .offset((page - 1) * per_page).limit(per_page)
    ).scalars().all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)
