"""The one reader of the environment: every setting has the ``PORTAL_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = 'kabinet-development-secret-change-me'
DEFAULT_PAYMENT_SECRET = 'kabinet-development-payment-secret-change-me'
# the payment gateways the portal can talk to (portal/payments/)
PAYMENT_GATEWAYS = ('sandbox',)
DATA_DIR = Path('.kabinet')


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix='PORTAL_', extra='ignore')

    host: str = '127.0.0.1'
    port: int = Field(default=8080, ge=1, le=65535)
    db_url: str = f'sqlite://{DATA_DIR}/kabinet.sqlite3'
    demo: bool = False
    secret: str = DEFAULT_SECRET
    scheduler: bool = True
    # whether cookies are marked Secure; on by default outside demo mode (serve behind HTTPS)
    secure_cookies: bool | None = None

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    challenge_seconds: int = 120
    # where attachment files are kept (outside any static route)
    files_dir: Path = DATA_DIR / 'files'
    # the portal's public address, printed in certificates' QR codes and verification links (default: host and port)
    public_url: str = ''

    # the payment gateway ('sandbox': the built-in test gateway, its hosted page served at /sandbox-gateway/…)
    payment_gateway: str = 'sandbox'
    # shared with the gateway: signs its callbacks (and the sandbox's session tokens)
    payment_secret: str = DEFAULT_PAYMENT_SECRET

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
        if self.payment_gateway not in PAYMENT_GATEWAYS:
            raise ValueError(f'PORTAL_PAYMENT_GATEWAY must be one of: {", ".join(PAYMENT_GATEWAYS)}')
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
