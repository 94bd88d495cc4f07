"""How the portal declares a page: NiceGUI's page, given longer than NiceGUI's 3 s to be built.

A page that is still being built when its time is up is answered with NiceGUI's error page (500). A process with
thousands of connected tabs pauses for whole seconds now and then while Python collects its cyclic garbage
(`docs/performance.md`, "Live fan-out"); a page that was being built meanwhile should come late, not as an error.
"""

from __future__ import annotations

from nicegui import ui

PAGE_TIMEOUT_SECONDS = 15.0


def page(path: str) -> ui.page:
    return ui.page(path, response_timeout=PAGE_TIMEOUT_SECONDS)
