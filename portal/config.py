"""The one reader of the environment: every setting has the ``PORTAL_`` prefix."""

from __future__ import annotations

import os
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = 'kabinet-development-secret-change-me'
DEFAULT_PAYMENT_SECRET = 'kabinet-development-payment-secret-change-me'
# the payment gateways the portal can talk to (portal/payments/)
PAYMENT_GATEWAYS = ('sandbox',)
# how notices' e-mails and SMS leave the portal (portal/channels/): the first of each is the local demo backend
EMAIL_BACKENDS = ('mailbox', 'smtp')
SMS_BACKENDS = ('file', 'http')
DATA_DIR = Path('.kabinet')


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix='PORTAL_', extra='ignore')

    host: str = '127.0.0.1'
    port: int = Field(default=8080, ge=1, le=65535)
    db_url: str = f'sqlite://{DATA_DIR}/kabinet.sqlite3'
    demo: bool = False
    secret: str = DEFAULT_SECRET
    scheduler: bool = True
    # several processes: Redis carries the live events between them and holds NiceGUI's storage (empty: one process)
    redis_url: str = ''
    # names this portal's keys and channel on a Redis shared with others
    redis_prefix: str = 'kabinet'
    # whether cookies are marked Secure; on by default outside demo mode (serve behind HTTPS)
    secure_cookies: bool | None = None

    # how long a tab's connection may stay silent (a lost mobile network; this process paused while collecting
    # garbage, seconds with thousands of tabs) before the tab is dropped: NiceGUI pings every 0.8 of this and waits
    # 0.4 of it for the answer, and keeps a disconnected tab this long for it to reconnect
    reconnect_seconds: float = Field(default=15, ge=3, le=120)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    challenge_seconds: int = 120
    # where attachment files are kept (outside any static route)
    files_dir: Path = DATA_DIR / 'files'
    # the private key that opens sealed ballots: only the process that runs the tally job needs this file
    tally_key_file: Path = DATA_DIR / 'tally.key'
    # the portal's public address, printed in certificates' QR codes and verification links (default: host and port)
    public_url: str = ''
    # further origins (comma list, e.g. a second public name) whose pages may open the portal's websocket; the
    # portal's own origin (public_url, or the address a request came to) is always allowed
    allowed_origins: str = ''

    # the payment gateway ('sandbox': the built-in test gateway, its hosted page served at /sandbox-gateway/…)
    payment_gateway: str = 'sandbox'
    # shared with the gateway: signs its callbacks (and the sandbox's session tokens)
    payment_secret: str = DEFAULT_PAYMENT_SECRET

    # e-mail of notices: 'mailbox' writes .eml files into mailbox_dir; 'smtp' sends through the SMTP server below
    email_backend: str = 'mailbox'
    mailbox_dir: Path = DATA_DIR / 'mailbox'
    smtp_host: str = ''
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ''
    smtp_password: str = ''
    smtp_starttls: bool = True
    email_from: str = 'Kabinet <no-reply@kabinet.local>'
    # SMS of notices: 'file' appends them to sms_log; 'http' posts them to the SMS gateway below
    sms_backend: str = 'file'
    sms_log: Path = DATA_DIR / 'sms.log'
    sms_gateway_url: str = ''
    sms_api_key: str = ''
    sms_sender: str = 'Kabinet'
    # shared with the SMS gateway: signs its delivery receipts
    sms_receipt_secret: str = ''

    # logs (docs/observability.md): 'text' lines for a terminal, or 'json' (one object per line) for a log collector
    log_format: Literal['text', 'json'] = 'text'
    log_level: Literal['DEBUG', 'INFO', 'WARNING', 'ERROR'] = 'INFO'
    # a log line per HTTP request; turn off where the proxy in front logs the requests (it costs each request a line)
    access_log: bool = True
    # GET /metrics answers loopback clients, and others that send "Authorization: Bearer <token>" when this is set
    metrics_token: str = ''
    # `python -m jobs` serves its own metrics (job runs) on 127.0.0.1 at this port; 0: not served
    jobs_metrics_port: int = Field(default=0, ge=0, le=65535)

    @model_validator(mode='after')
    def _refuse_default_secret(self) -> Settings:
        if not self.demo and self.secret == DEFAULT_SECRET:
            raise ValueError('PORTAL_SECRET must be set to a long random value outside demo mode (PORTAL_DEMO=1)')
        if len(self.secret) < 16:
            raise ValueError('PORTAL_SECRET must be at least 16 characters long')
        if not self.demo and self.payment_secret == DEFAULT_PAYMENT_SECRET:
            raise ValueError('PORTAL_PAYMENT_SECRET must be set to the secret shared with the payment gateway')
        if len(self.payment_secret) < 16:
            raise ValueError('PORTAL_PAYMENT_SECRET must be at least 16 characters long')
        if self.metrics_token and len(self.metrics_token) < 16:
            raise ValueError('PORTAL_METRICS_TOKEN must be at least 16 characters long (or empty)')
        if self.payment_gateway not in PAYMENT_GATEWAYS:
            raise ValueError(f'PORTAL_PAYMENT_GATEWAY must be one of: {", ".join(PAYMENT_GATEWAYS)}')
        return self

    @model_validator(mode='after')
    def _check_channels(self) -> Settings:
        if self.email_backend not in EMAIL_BACKENDS:
            raise ValueError(f'PORTAL_EMAIL_BACKEND must be one of: {", ".join(EMAIL_BACKENDS)}')
        if self.sms_backend not in SMS_BACKENDS:
            raise ValueError(f'PORTAL_SMS_BACKEND must be one of: {", ".join(SMS_BACKENDS)}')
        if '@' not in parseaddr(self.email_from)[1]:
            raise ValueError('PORTAL_EMAIL_FROM must hold an e-mail address, e.g. Kabinet <no-reply@example.az>')
        if not self.demo and self.email_backend == 'smtp' and not self.smtp_host:
            raise ValueError('PORTAL_SMTP_HOST must be set when PORTAL_EMAIL_BACKEND=smtp')
        if not self.demo and self.sms_backend == 'http':
            if not self.sms_gateway_url.startswith(('https://', 'http://')) or not self.sms_api_key:
                raise ValueError('PORTAL_SMS_GATEWAY_URL and PORTAL_SMS_API_KEY must be set (PORTAL_SMS_BACKEND=http)')
            if len(self.sms_receipt_secret) < 16:
                raise ValueError('PORTAL_SMS_RECEIPT_SECRET must be at least 16 characters (PORTAL_SMS_BACKEND=http)')
        return self

    @property
    def base_url(self) -> str:
        return (self.public_url or f'http://{self.host}:{self.port}').rstrip('/')

    @property
    def cookies_secure(self) -> bool:
        return (not self.demo) if self.secure_cookies is None else self.secure_cookies


@lru_cache
def get_settings() -> Settings:
    return Settings()


def export_nicegui_storage(settings: Settings) -> None:
    """Put NiceGUI's storage (``app.storage.user``: the login session, the language) on Redis when ``redis_url`` is
    set. NiceGUI reads ``NICEGUI_REDIS_URL`` once, when it is first imported, so this runs before anything imports it
    (``main.py``)."""
    if settings.redis_url:
        os.environ['NICEGUI_REDIS_URL'] = settings.redis_url
        os.environ['NICEGUI_REDIS_KEY_PREFIX'] = f'{settings.redis_prefix}:nicegui:'
