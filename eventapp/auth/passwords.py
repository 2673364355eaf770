"""Password hashing (scrypt via Werkzeug) and generation of first passwords."""

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 12
# Hash checked when no account matches, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, password) and password_hash is not None


def generate_password() -> str:
    """A password to print once: 20 URL-safe characters, about 120 bits."""
    return secrets.token_urlsafe(15)
