"""The senders the settings choose: local files by default (a fresh machine needs nothing), SMTP and an HTTP SMS
gateway when configured."""

from __future__ import annotations

import logging

from portal.channels import Sender, Senders
from portal.channels.email import MailboxSender, SmtpSender
from portal.channels.sms import FileSmsSender, HttpSmsGateway
from portal.config import Settings

log = logging.getLogger(__name__)


def senders_from_settings(settings: Settings) -> Senders:
    return Senders(email=_email_sender(settings), sms=_sms_sender(settings))


def _email_sender(settings: Settings) -> Sender:
    if settings.email_backend == 'smtp':
        if settings.smtp_host:
            return SmtpSender(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
                sender_address=settings.email_from,
            )
        # only demo mode lets this through the settings' checks
        log.warning('PORTAL_SMTP_HOST is not set: e-mails go to the mailbox folder %s', settings.mailbox_dir)
    return MailboxSender(settings.mailbox_dir, sender_address=settings.email_from)


def _sms_sender(settings: Settings) -> Sender:
    if settings.sms_backend == 'http':
        if settings.sms_gateway_url and settings.sms_api_key:
            return HttpSmsGateway(
                url=settings.sms_gateway_url, api_key=settings.sms_api_key, sender_name=settings.sms_sender
            )
        log.warning('PORTAL_SMS_GATEWAY_URL or PORTAL_SMS_API_KEY is not set: SMS go to the file %s', settings.sms_log)
    return FileSmsSender(settings.sms_log)
