"""Mail test fixtures: a real SMTP server, one that needs a login, a closed port and a black hole."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.smtp import AuthResult

from ..smtp import SMTPServer, free_port


@pytest.fixture
def smtp_server_with_login() -> Iterator[SMTPServer]:
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    server = SMTPServer(authenticator=authenticator, auth_require_tls=False).start()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A port with nothing listening: connecting is refused at once."""
    return free_port()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections but never says a word: a black-holed mail server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]
