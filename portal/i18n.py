"""Translations (Babel message catalogs for az, en, ru) and locale-aware formatting.

The language belongs to a NiceGUI client: it is read from ``app.storage.client`` of the client whose
element tree is being built, so a live refresh renders in that client's language, never another's.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

LANGUAGES = {'az': 'Azərbaycanca', 'en': 'English', 'ru': 'Русский'}
DEFAULT_LANGUAGE = 'az'
TIMEZONE = ZoneInfo('Asia/Baku')
LOCALES_DIR = Path(__file__).resolve().parent / 'locales'


@cache
def catalog(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / lang / 'LC_MESSAGES' / 'messages.po'
    if not path.exists():
        return {}
    with path.open('rb') as f:
        po = read_po(f, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def translate(message: str, lang: str, **params: object) -> str:
    text = catalog(lang).get(message, message) if lang in LANGUAGES else message
    return text.format(**params) if params else text


def current_language() -> str:
    from nicegui import app

    try:
        lang = app.storage.client.get('lang', DEFAULT_LANGUAGE)
    except RuntimeError:  # outside a client (e.g. a job): the default language
        return DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _(message: str, **params: object) -> str:
    """Translate into the current client's language; ``{name}`` placeholders are filled from params."""
    return translate(message, current_language(), **params)


def fmt_datetime(value: datetime, lang: str | None = None) -> str:
    return format_datetime(value.astimezone(TIMEZONE), 'dd.MM.yyyy HH:mm', locale=lang or current_language())


def fmt_date(value: date, lang: str | None = None) -> str:
    return format_date(value, 'dd.MM.yyyy', locale=lang or current_language())
