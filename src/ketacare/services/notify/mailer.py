"""Sending e-mail through a real SMTP server with the standard library.

One connection per batch. A failure is reported per message as a short label (exception class
and SMTP reply code) and never as the server's text, which can echo addresses or content back.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from ketacare.config import Settings

# Seconds to wait on any one SMTP step; a hung server must not hold a worker's claimed batch.
SMTP_TIMEOUT_SECONDS = 20.0
MAX_ERROR_LENGTH = 200


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    at: datetime
    # Stable per outbox row, so a re-sent message carries the same Message-ID and mail
    # clients can fold the duplicate.
    reference: str


class Mailer(Protocol):
    def send(self, messages: Sequence[OutgoingMail]) -> list[str | None]:
        """Send each message; return None for a sent one, else a PHI-free error label."""
        ...


def error_label(exc: BaseException) -> str:
    """What went wrong, without the server's words: ``SMTPDataError 554`` or ``OSError``."""
    code = getattr(exc, "smtp_code", None)
    name = type(exc).__name__
    label = name if not isinstance(code, int) else f"{name} {code}"
    return label[:MAX_ERROR_LENGTH]


def _message_id_domain(sender: str) -> str:
    _, _, domain = sender.rpartition("@")
    return domain or "ketacare.invalid"


class SmtpMailer:
    """Deliver through one SMTP server (optionally STARTTLS and login), from the settings."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        if not settings.smtp_host:
            msg = "KETACARE_SMTP_HOST is not set: there is no mail server to send through"
            raise ValueError(msg)
        password = settings.smtp_password
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=None if password is None else password.get_secret_value(),
            starttls=settings.smtp_starttls,
        )

    def compose(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(mail.at)
        message["Message-ID"] = f"<{mail.reference}@{_message_id_domain(self.sender)}>"
        # RFC 3834: machine-generated, so auto-responders stay quiet.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.body)
        return message

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username is not None and self.password is not None:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, messages: Sequence[OutgoingMail]) -> list[str | None]:
        if not messages:
            return []
        try:
            smtp = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            return [error_label(exc)] * len(messages)
        try:
            return [self._send_one(smtp, mail) for mail in messages]
        finally:
            _quit_quietly(smtp)

    def _send_one(self, smtp: smtplib.SMTP, mail: OutgoingMail) -> str | None:
        try:
            smtp.send_message(self.compose(mail))
        except (smtplib.SMTPException, OSError) as exc:
            return error_label(exc)
        return None


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
