"""Secrets that appear in links and QR codes: long, random, and in a look-alike-free alphabet."""

import base64
import re
import secrets

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from a badge cannot be misread;
# uppercase letters and digits also keep a QR code in its compact alphanumeric mode.
BADGE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BADGE_SECRET_LENGTH = 26  # 26 * 5 bits = 130 bits
BADGE_CODE_PREFIX = "EA1:"


# Standard base32 (RFC 4648) letter for letter into Crockford's: random bytes encoded once, instead of one
# secrets.choice per character (a tenth of the time; every registration makes one).
_TO_BADGE_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", BADGE_ALPHABET)
_BADGE_SECRET_BYTES = (BADGE_SECRET_LENGTH * 5 + 7) // 8


def new_badge_secret() -> str:
    encoded = base64.b32encode(secrets.token_bytes(_BADGE_SECRET_BYTES)).decode("ascii")
    return encoded[:BADGE_SECRET_LENGTH].translate(_TO_BADGE_ALPHABET)


# Checked on every scan, the door rush's hot path: one regular expression rather than a loop over characters.
_BADGE_SECRET = re.compile(f"[{BADGE_ALPHABET}]{{{BADGE_SECRET_LENGTH}}}", re.ASCII)


def badge_code(badge_secret: str) -> str:
    """What the badge's QR code carries: a version prefix, then the secret."""
    return BADGE_CODE_PREFIX + badge_secret


def badge_secret_from_code(code: str) -> str | None:
    """The secret inside a scanned code, or None when the code cannot be one of ours."""
    code = code.strip().upper()
    if not code.startswith(BADGE_CODE_PREFIX):
        return None
    secret = code[len(BADGE_CODE_PREFIX):]
    return secret if _BADGE_SECRET.fullmatch(secret) else None


def new_manage_secret() -> str:
    """The attendee's private manage link: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)
