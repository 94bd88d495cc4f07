"""Domain errors shown to a person: translated message, never the exception text."""

from __future__ import annotations

from nicegui import ui

from portal.errors import DomainError
from portal.i18n import _


def error_text(exc: DomainError) -> str:
    return _(exc.message, **exc.params)


def show_error(exc: DomainError, target: ui.label | None = None) -> None:
    text = error_text(exc)
    if target is not None:
        target.set_text(text)
        target.set_visibility(True)
    ui.notify(text, type='negative', position='top')
