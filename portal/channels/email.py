"""E-mail: ``SmtpSender`` hands messages to a real SMTP server; ``MailboxSender`` (the demo default) drops them as
``.eml`` files into a local folder, where any mail client can open them.

Both build the same message (``build_email``), so what the demo shows is what an SMTP server would get.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import aiosmtplib

from portal.channels import Message, SendError

# the reply codes that say "this address will never take it"; 4xx (mailbox busy, greylisting) may pass later
_PERMANENT_MIN = 500
_LINE_BREAKS = re.compile(r'[\r\n]+')


class _MailPolicy(EmailPolicy):
    """The standard policy, except that a non-ASCII Subject is encoded by the ``email.header`` encoder: Python 3.11's
    folder drops the space at a fold between two encoded words (an Azerbaijani subject of some length loses one)."""

    def fold(self, name: str, value: Any) -> str:
        if self._legacy(name, value):
            return self._encoded(name, str(value))
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if self._legacy(name, value):
            return self._encoded(name, str(value)).encode('ascii')
        return super().fold_binary(name, value)

    def _legacy(self, name: str, value: Any) -> bool:
        return name.lower() == 'subject' and not self.utf8 and not str(value).isascii()

    def _encoded(self, name: str, value: str) -> str:
        return f'{name}: {Header(value, "utf-8", header_name=name).encode(linesep=self.linesep)}{self.linesep}'


MAIL_POLICY = _MailPolicy()
SMTP_POLICY = MAIL_POLICY.clone(linesep='\r\n')


class SmtpSender:
    """Sends each message in its own SMTP session: nothing to keep open or to lose between the delivery job's runs."""

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        username: str = '',
        password: str = '',
        use_tls: bool = False,
        starttls: bool = True,
        sender_address: str,
        timeout: float = 30.0,
    ) -> None:
        self._host, self._port = host, port
        self._username, self._password = username, password
        self._use_tls, self._starttls = use_tls, starttls and not use_tls
        self._sender = sender_address
        self._domain = sender_domain(sender_address)
        self._envelope_from = parseaddr(sender_address)[1]
        self._timeout = timeout

    async def send(self, message: Message) -> str:
        mail = build_email(message, sender=self._sender, domain=self._domain, now=datetime.now(UTC))
        recipient = str(mail['To'].addresses[0].addr_spec)
        # an address beyond ASCII needs the server's SMTPUTF8, and then the headers may be UTF-8 as they are
        utf8 = not recipient.isascii()
        raw = mail.as_bytes(policy=SMTP_POLICY.clone(utf8=utf8))
        smtp = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=self._username or None,
            password=self._password or None,
            use_tls=self._use_tls,
            start_tls=self._starttls,
            timeout=self._timeout,
        )
        try:
            async with smtp:
                await smtp.sendmail(self._envelope_from, [recipient], raw, mail_options=['SMTPUTF8'] if utf8 else [])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refusals = exc.recipients
            reason = '; '.join(f'{r.code} {r.message}' for r in refusals) or 'recipient refused'
            permanent = bool(refusals) and all(r.code >= _PERMANENT_MIN for r in refusals)
            raise SendError(f'SMTP refused the recipient: {reason}', permanent=permanent) from exc
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise SendError(
                f'SMTP refused the recipient: {exc.code} {exc.message}', permanent=exc.code >= _PERMANENT_MIN
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # the server's own trouble or ours (authentication, sender): a retry may pass once it is fixed
            raise SendError(f'SMTP error {exc.code}: {exc.message}') from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendError(f'SMTP server {self._host}:{self._port} unavailable: {type(exc).__name__}: {exc}') from exc
        return str(mail['Message-ID'])


class MailboxSender:
    """Writes each message whole (temporary file, then rename) into ``folder`` as ``<time>-<id>.eml``."""

    def __init__(self, folder: Path | str, *, sender_address: str = 'Kabinet <no-reply@kabinet.local>') -> None:
        self.folder = Path(folder)
        self._sender = sender_address
        self._domain = sender_domain(sender_address)

    async def send(self, message: Message) -> str:
        now = datetime.now(UTC)
        mail = build_email(message, sender=self._sender, domain=self._domain, now=now)
        name = f'{now:%Y%m%dT%H%M%S%fZ}-{message.delivery_id.hex}.eml'
        try:
            await asyncio.to_thread(_write_whole, self.folder, name, bytes(mail))
        except OSError as exc:
            raise SendError(f'cannot write to the mailbox {self.folder}: {exc}') from exc
        return str(mail['Message-ID'])


def build_email(message: Message, *, sender: str, domain: str, now: datetime) -> EmailMessage:
    """The e-mail of a message: UTF-8 subject and body, a Message-ID in the sender's domain, marked as automatic."""
    try:
        to = Address(addr_spec=message.to.strip())
    except (ValueError, IndexError) as exc:  # the header parser's errors for a garbled address
        raise SendError(f'not an e-mail address: {message.to!r}', permanent=True) from exc
    if not to.domain or not to.username:
        raise SendError(f'not an e-mail address: {message.to!r}', permanent=True)
    mail = EmailMessage(policy=MAIL_POLICY)
    mail['From'] = sender
    mail['To'] = to
    mail['Subject'] = _LINE_BREAKS.sub(' ', message.subject).strip()
    mail['Date'] = format_datetime(now)
    mail['Message-ID'] = make_msgid(domain=domain)
    # RFC 3834: no auto-replies (out-of-office) back to the portal
    mail['Auto-Submitted'] = 'auto-generated'
    mail['Content-Language'] = message.lang
    # quoted-printable: 7-bit clean for any server, still readable in the raw file
    mail.set_content(message.body, charset='utf-8', cte='quoted-printable')
    return mail


def sender_domain(sender_address: str) -> str:
    """The domain of ``'Name <user@domain>'`` (for Message-IDs); ``ValueError`` when there is none."""
    _, address = parseaddr(sender_address)
    user, _, domain = address.rpartition('@')
    if not user or not domain:
        raise ValueError(f'the sender {sender_address!r} has no e-mail address with a domain')
    return domain


def _write_whole(folder: Path, name: str, data: bytes) -> None:
    # the mailbox holds citizens' personal data: readable by the portal's user only
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix='.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
