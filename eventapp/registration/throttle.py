"""How much mail one address may be sent from the public pages: ADDRESS_MAIL_RATE_LIMIT (a few an hour) counts
every sign-up and every request for the manage link made with the address, whether or not it is registered, so
that reaching the limit tells nobody anything, and a stranger cannot fill someone's mailbox through the form.

The counts are Flask-Limiter's (its storage, through its public `limiter` property): in Redis when REDIS_URL is
set, so every server and worker shares them; in each worker process's memory otherwise, where N workers allow
up to N times the limit. The address is hashed before it becomes a storage key.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from limits import parse

from ..extensions import limiter
from .addresses import email_key

log = logging.getLogger(__name__)

SCOPE = "address-mail"
LIMITED_MESSAGE = ("Several messages have already been sent to this address in the last hour. "
                   "Please check your inbox (and spam folder), or try again later.")


def may_mail(address: str) -> bool:
    """Count one more mail to `address` (a normalised address); False when it is over the limit."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return True
    item = parse(config["ADDRESS_MAIL_RATE_LIMIT"])
    digest = hashlib.sha256(email_key(address).encode()).hexdigest()[:32]
    try:
        return limiter.limiter.hit(item, SCOPE, digest)
    except Exception:  # the counter's storage is down: the form still works (the per-IP limits still apply)
        log.exception("Could not count mail to an address; allowing it")
        return True
