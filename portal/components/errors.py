"""Domain errors shown to a person: translated message, never the exception text."""

from __future__ import annotations

from nicegui import ui

from portal.errors import DomainError
from portal.i18n import _


def error_text(exc: DomainError) -> str:
    return _(exc.message, **exc.params)


def show_error(exc: DomainError, target: ui.label | None = None) -> None:
    show_problem(error_text(exc), target)


def show_problem(text: str, target: ui.label | None = None) -> None:
    if target is not None:
        target.set_text(text)
        target.set_visibility(True)
    ui.notify(text, type='negative', position='top')
