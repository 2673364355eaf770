"""Drafting a report section with others: every save a numbered revision (who, when), a save from an older
version refused as a conflict that keeps both texts, autosaved drafts per editor (never a revision), and
restoring an earlier revision as a new one."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ReportDraft, ReportRevision, ReportSection, SectionStatus, StaffUser, utcnow
from .service import SECTION_PARTS

PART_NAMES = tuple(name for name, _ in SECTION_PARTS)
PART_LABELS = {"narrative": "Narrative", "key_findings": "Key findings", "lessons": "Lessons",
               "open_questions": "Ongoing questions"}


def clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def texts_of(thing) -> dict[str, str]:
    """The four parts of a section, revision, draft or form data (a dict)."""
    get = thing.get if isinstance(thing, dict) else lambda name: getattr(thing, name)
    return {name: clean(get(name)) for name in PART_NAMES}


@dataclass
class PartConflict:
    name: str
    label: str
    theirs: str
    yours: str
    both_changed: bool


@dataclass
class Conflict:
    """A save refused because someone else saved first: their revision, and a merge to start from."""

    theirs: ReportRevision
    current_version: int
    parts: list[PartConflict] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)

    @property
    def needs_hand_merge(self) -> bool:
        return any(p.both_changed for p in self.parts)


@dataclass(frozen=True)
class Saved:
    version: int


def _revision(section_id: int, version: int) -> ReportRevision | None:
    return db.session.execute(select(ReportRevision).where(
        ReportRevision.section_id == section_id, ReportRevision.version == version)).scalar_one_or_none()


def _conflict(section: ReportSection, base_version: int, yours: dict[str, str]) -> Conflict:
    """Part by part: what only they changed is taken, what only you changed is kept, what both changed is yours
    in the editor with theirs beside it to merge by hand."""
    db.session.refresh(section)
    theirs = _revision(section.id, section.version) or ReportRevision(
        # A section saved before versions were kept (or written by a script): its row stands for its revision.
        section_id=section.id, version=section.version, **texts_of(section), status=section.status,
        saved_at=section.updated_at,
        saved_by=db.session.get(StaffUser, section.updated_by_id) if section.updated_by_id else None)
    base = texts_of(_revision(section.id, base_version)) if base_version else {name: "" for name in PART_NAMES}
    their_texts = texts_of(theirs)
    conflict = Conflict(theirs=theirs, current_version=section.version)
    for name in PART_NAMES:
        they_changed = their_texts[name] != base[name]
        you_changed = yours[name] != base[name]
        both = they_changed and you_changed and their_texts[name] != yours[name]
        conflict.merged[name] = their_texts[name] if they_changed and not you_changed else yours[name]
        if their_texts[name] != yours[name]:
            conflict.parts.append(PartConflict(name, PART_LABELS[name], their_texts[name], yours[name], both))
    return conflict


def save(section: ReportSection, data: dict, base_version: int, by: StaffUser,
         restored_from: int | None = None) -> Saved | Conflict:
    """Save the section as a new revision if nobody has saved since `base_version`; otherwise a Conflict, with
    nothing overwritten (and the editor's text kept as their draft)."""
    texts = texts_of(data)
    status = SectionStatus(data.get("status") or SectionStatus.DRAFT)
    now = utcnow()
    if section.id is None:
        if base_version != 0:
            raise ValueError("a new section starts at version 0")
        section.version = 1
        section.status, section.updated_by_id, section.updated_at = status, by.id, now
        for name, text in texts.items():
            setattr(section, name, text)
        db.session.add(section)
        try:
            db.session.flush()
        except IntegrityError:
            # Someone else made the section first: theirs stays, yours becomes a conflict to merge.
            db.session.rollback()
            existing = db.session.execute(select(ReportSection).where(
                ReportSection.themed_session_id == section.themed_session_id)).scalar_one()
            keep_draft(existing.themed_session_id, by, texts, base_version)
            return _conflict(existing, 0, texts)
    else:
        changed = db.session.execute(
            update(ReportSection)
            .where(ReportSection.id == section.id, ReportSection.version == base_version)
            .values(**texts, status=status, updated_by_id=by.id, updated_at=now, version=base_version + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            db.session.rollback()
            keep_draft(section.themed_session_id, by, texts, base_version)
            return _conflict(section, base_version, texts)
    version = base_version + 1
    db.session.add(ReportRevision(section_id=section.id, version=version, **texts, status=status,
                                  saved_by_id=by.id, saved_at=now, restored_from=restored_from))
    db.session.execute(delete(ReportDraft).where(ReportDraft.themed_session_id == section.themed_session_id,
                                                 ReportDraft.staff_user_id == by.id))
    db.session.commit()
    db.session.refresh(section)
    return Saved(version)


def keep_draft(themed_session_id: int, by: StaffUser, texts: dict[str, str], base_version: int) -> ReportDraft:
    """Write (or overwrite) this editor's draft of the section; commits. Not a revision."""
    draft = db.session.execute(select(ReportDraft).where(
        ReportDraft.themed_session_id == themed_session_id, ReportDraft.staff_user_id == by.id)
    ).scalar_one_or_none()
    if draft is None:
        draft = ReportDraft(themed_session_id=themed_session_id, staff_user_id=by.id)
        db.session.add(draft)
    for name, text in texts.items():
        setattr(draft, name, text)
    draft.base_version = base_version
    draft.saved_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # two autosaves of one editor at once: the other one's row is as good
        db.session.rollback()
    return draft


def draft_for(themed_session_id: int, by: StaffUser, section: ReportSection) -> ReportDraft | None:
    """The editor's autosaved draft, if it holds anything the saved section does not."""
    draft = db.session.execute(select(ReportDraft).where(
        ReportDraft.themed_session_id == themed_session_id, ReportDraft.staff_user_id == by.id)
    ).scalar_one_or_none()
    if draft is None or texts_of(draft) == texts_of(section):
        return None
    return draft


def discard_draft(themed_session_id: int, by: StaffUser) -> None:
    db.session.execute(delete(ReportDraft).where(ReportDraft.themed_session_id == themed_session_id,
                                                 ReportDraft.staff_user_id == by.id))
    db.session.commit()


def revisions(section: ReportSection) -> list[ReportRevision]:
    if section.id is None:
        return []
    return list(db.session.execute(select(ReportRevision).where(ReportRevision.section_id == section.id)
                                   .order_by(ReportRevision.version.desc())).scalars())


def revision(section: ReportSection, version: int) -> ReportRevision | None:
    return _revision(section.id, version) if section.id is not None else None


def restore(section: ReportSection, version: int, base_version: int, by: StaffUser) -> Saved | Conflict | None:
    """Save an earlier revision's text as the newest revision (nothing is deleted); None if there is no such one."""
    old = revision(section, version)
    if old is None:
        return None
    return save(section, {**texts_of(old), "status": old.status.value}, base_version, by, restored_from=version)
