"""How a built message leaves the app: real SMTP when MAIL_SERVER is set, else an .eml file in instance/outbox/.

A transport raises MailDeliveryError with a sentence an organiser can read (it is stored as the mail's
last_error and shown on the organiser page), and says whether the fault is this message's (a refused
recipient: retrying will not help) or the server's (down, unreachable, refusing our login: every other
message in the batch would fail the same way, so the deliverer stops and leaves them for the next run).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import tempfile
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 500


class MailDeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False, server_problem: bool = False):
        super().__init__(reason)
        self.reason = reason[:MAX_REASON_CHARS]
        self.permanent = permanent  # retrying this message can never succeed (e.g. 550 no such user)
        self.server_problem = server_problem  # no message can go out now; stop the batch


class Transport(Protocol):
    def send(self, message: EmailMessage, *, name: str = "mail") -> None:
        """Send one message; `name` is a short file-safe label (the outbox uses it as the file name)."""



    def close(self) -> None: ...


def make_transport(config: Mapping[str, Any]) -> Transport:
    if config.get("MAIL_SERVER"):
        return SMTPTransport(
            host=config["MAIL_SERVER"],
            port=int(config.get("MAIL_PORT", 25)),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or "",
            password=config.get("MAIL_PASSWORD") or "",
            timeout=float(config.get("MAIL_TIMEOUT_SECONDS", 10)),
        )
    return OutboxTransport(Path(config["INSTANCE_DIR"]) / "outbox")


class OutboxTransport:
    """Development mail: each message becomes a file a person can open, and the log says where."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.last_path: Path | None = None

    def send(self, message: EmailMessage, *, name: str = "mail") -> None:
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "mail"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written under a temporary name and renamed, so a reader never sees half a message.
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(message.as_bytes())
            path = self.directory / f"{stem}.eml"
            os.replace(tmp, path)
        except OSError as error:
            raise MailDeliveryError(
                f"Could not write the mail to {self.directory}: {error.strerror or error}", server_problem=True
            ) from error
        self.last_path = path
        log.info("Mail to %s written to %s", message["To"], path)

    def close(self) -> None:
        pass


class SMTPTransport:
    """smtplib, one connection reused for a whole batch (checked with NOOP before each reuse)."""

    def __init__(self, host: str, port: int, *, use_tls: bool = False, use_ssl: bool = False,
                 username: str = "", password: str = "", timeout: float = 10.0):
        self.host, self.port = host, port
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._smtp = self._connect()
        return self._smtp

    def send(self, message: EmailMessage, *, name: str = "mail") -> None:
        try:
            self._connection().send_message(message)
        except Exception as error:
            self._drop()
            raise self.describe(error) from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None

    def describe(self, error: Exception) -> MailDeliveryError:
        """Turn what smtplib and the socket raised into a sentence, and say whose fault it is."""
        where = self.where
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            details = "; ".join(f"{addr}: {_reply(code, msg)}" for addr, (code, msg) in error.recipients.items())
            permanent = all(code >= 500 for code, _ in error.recipients.values())
            return MailDeliveryError(f"The mail server refused the recipient ({details}).", permanent=permanent)
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return MailDeliveryError(
                f"The mail server at {where} refused our login ({_reply(error.smtp_code, error.smtp_error)}); "
                "check MAIL_USERNAME and MAIL_PASSWORD.",
                server_problem=True,
            )
        if isinstance(error, smtplib.SMTPSenderRefused):
            return MailDeliveryError(
                f"The mail server refused the sender {error.sender} ({_reply(error.smtp_code, error.smtp_error)}); "
                "check MAIL_DEFAULT_SENDER.",
                server_problem=True,
            )
        if isinstance(error, smtplib.SMTPDataError):
            return MailDeliveryError(
                f"The mail server rejected the message ({_reply(error.smtp_code, error.smtp_error)}).",
                permanent=error.smtp_code >= 500,
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return MailDeliveryError(f"The mail server at {where} cannot take this message: {error}.", permanent=True)
        if isinstance(error, smtplib.SMTPConnectError):
            return MailDeliveryError(
                f"The mail server at {where} turned the connection away "
                f"({_reply(error.smtp_code, error.smtp_error)}).",
                server_problem=True,
            )
        if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, TimeoutError):
            error = error.__context__  # smtplib reports a silent server as "disconnected: timed out"
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return MailDeliveryError(f"The mail server at {where} closed the connection unexpectedly.",
                                     server_problem=True)
        if isinstance(error, smtplib.SMTPResponseException):
            return MailDeliveryError(
                f"The mail server at {where} answered {_reply(error.smtp_code, error.smtp_error)}.",
                server_problem=True,
            )
        if isinstance(error, ConnectionRefusedError):
            return MailDeliveryError(f"Could not connect to the mail server at {where}: connection refused.",
                                     server_problem=True)
        if isinstance(error, TimeoutError | socket.timeout):
            return MailDeliveryError(
                f"The mail server at {where} did not answer within {self.timeout:g} seconds.", server_problem=True
            )
        if isinstance(error, socket.gaierror):
            return MailDeliveryError(f"The mail server name {self.host!r} could not be found ({error.strerror}).",
                                     server_problem=True)
        if isinstance(error, ssl.SSLError):
            return MailDeliveryError(f"Could not set up TLS with the mail server at {where}: {error.reason or error}.",
                                     server_problem=True)
        if isinstance(error, OSError):
            return MailDeliveryError(
                f"Could not reach the mail server at {where}: {error.strerror or error}.", server_problem=True
            )
        if isinstance(error, smtplib.SMTPException):
            return MailDeliveryError(f"Mail server error at {where}: {error}.", server_problem=True)
        return MailDeliveryError(f"Could not send the mail: {type(error).__name__}: {error}.")


def _reply(code: int, message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {' '.join(str(message).split())}".strip()


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except OSError:
        pass
