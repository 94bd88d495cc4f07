"""Helpers for NiceGUI `user` tests: texts by marker, waiting for a text or a count, Azerbaijani msgids."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing import User

from portal.i18n import translate
from tests.test_ui_login import WAIT


def az(message: str, **params: object) -> str:
    return translate(message, 'az', **params)


def texts(user: User, marker: str) -> list[str]:
    """The texts of the visible labels and badges with this marker, in page order."""
    try:
        found = user.find(marker=marker).elements
    except AssertionError:
        return []
    return [e.text for e in sorted(found, key=lambda e: e.id) if isinstance(e, ui.label | ui.badge) and e.visible]


async def says(user: User, marker: str, text: str) -> None:
    """Wait until the one visible element with this marker says this."""
    shown: list[str] = []
    for _attempt in range(WAIT):
        shown = texts(user, marker)
        if shown == [text]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'{marker!r} shows {shown!r}, not {text!r}')


async def count(user: User, marker: str, expected: int) -> None:
    """Wait until this many elements carry the marker."""
    shown = -1
    for _attempt in range(WAIT):
        try:
            shown = len(user.find(marker=marker).elements)
        except AssertionError:
            shown = 0
        if shown == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'{shown} elements marked {marker!r} shown, not {expected}')
