"""What a mail carries besides its text: files other features provide at send time (a badge, a calendar).

Each feature registers a provider under a name in ``ATTACHMENT_PROVIDERS``: a callable
``(OutboundMail) -> (filename, data) | (filename, data, mimetype) | None``. At send time every provider is
asked, in the order they were registered, and the mail carries every file they return; a provider decides
from the mail (its kind, its registration) whether it has something to add, except the badge's, which is
asked only for mails queued with ``attach_badge=True`` (the one attachment a caller asks for by name).
Providers run inside an app context and may read through ``db.session``. None returned (or no provider):
no file. A provider that raises fails this attempt (retried like any other failure), so a mail never goes out
silently without a file it should carry because of a transient error.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from ..models import OutboundMail
from .transport import MailDeliveryError

log = logging.getLogger(__name__)

BADGE = "badge"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mimetype: str

    @classmethod
    def of(cls, provided: tuple) -> Attachment:
        filename, data, *rest = provided
        mimetype = rest[0] if rest else mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return cls(filename, data, mimetype)


AttachmentProvider = Callable[[OutboundMail], tuple[str, bytes] | tuple[str, bytes, str] | None]
# Filled by other features when the app is made (badges register "badge", the calendar "calendar").
ATTACHMENT_PROVIDERS: dict[str, AttachmentProvider] = {}


def _asked(name: str, mail: OutboundMail) -> bool:
    return bool(mail.attach_badge) if name == BADGE else True


def attachments_for(mail: OutboundMail) -> list[Attachment]:
    found = []
    for name, provider in list(ATTACHMENT_PROVIDERS.items()):
        if not _asked(name, mail):
            continue
        try:
            provided = provider(mail)
        except Exception as error:
            log.exception("The %s attachment for mail %s failed", name, mail.id)
            raise MailDeliveryError(
                f"Could not prepare the {name} to attach: {type(error).__name__}: {error}") from error
        if provided is not None:
            found.append(Attachment.of(provided))
    return found
