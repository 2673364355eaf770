"""Attendees' e-mail addresses: the one normal form every path stores (form, manage edit, resend, CLI, import),
the key the database keeps unique, and the form a mail is sent to. Pure: no database, no request.

The normal form is email-validator's: Unicode NFC throughout and the domain IDNA-normalised, so `josé@…` typed
in NFC or NFD, and a domain typed in Unicode, in capitals or as `xn--…`, all become one address. The local part
keeps the case it was typed in (it is shown and mailed as typed) and is compared without regard to case.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
INVALID_MESSAGE = "Enter an e-mail address like name@example.org."


class AddressError(ValueError):
    """An address that is not one; `message` is the sentence shown next to the field."""

    def __init__(self, message: str = INVALID_MESSAGE):
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=4096)  # a sign-up asks for the same address's forms several times; each parse is afresh
def _validated(address: str) -> tuple[str, str | None]:
    result = validate_email(address, check_deliverability=False)
    return result.normalized, result.ascii_email


def normalise_email(address: str) -> str:
    """The address as stored: email-validator's normalised form. Raises AddressError for anything else."""
    address = address.strip() if isinstance(address, str) else ""
    if not address:
        raise AddressError("Enter your e-mail address.")
    if len(address) > MAX_LENGTH:
        raise AddressError(f"An e-mail address can be at most {MAX_LENGTH} characters long.")
    try:
        normalised, _ = _validated(address)
    except EmailNotValidError as error:
        raise AddressError() from error
    if len(normalised) > MAX_LENGTH:
        raise AddressError(f"An e-mail address can be at most {MAX_LENGTH} characters long.")
    return normalised


def email_key(address: str) -> str:
    """What two addresses must share to be the same mailbox: the normal form, lower-cased (the database keeps it
    unique per event). An address email-validator refuses (a row from before it was checked) still gets a key:
    its NFC form, trimmed and lower-cased."""
    try:
        normalised = normalise_email(address)
    except AddressError:
        normalised = (address or "").strip()
    return key_of_normal(normalised)


def key_of_normal(normalised: str) -> str:
    """email_key of an address already in its normal form (normalise_email's answer), without parsing it again:
    a sign-up or an import row has normalised its address once, and parsing is most of an address's cost."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", normalised).lower())


def recipient_of_normal(normalised: str) -> str:
    """mail_recipient of an address already in its normal form: an all-ASCII normal form is its own ASCII form,
    so only an internationalised one is parsed again."""
    return normalised if normalised.isascii() else mail_recipient(normalised)


def mail_recipient(address: str) -> str:
    """The address to send to: the domain in its ASCII (`xn--`) form when the local part is ASCII, so that a mail
    server without SMTPUTF8 still takes it; an internationalised local part needs SMTPUTF8 whatever we do."""
    try:
        normalised, ascii_form = _validated(address.strip())
    except EmailNotValidError:
        return address
    return ascii_form or normalised
