"""Kabinet: settings → app (API, pages, jobs) → serve."""

import uvicorn

from portal.config import export_nicegui_storage, get_settings

settings = get_settings()
export_nicegui_storage(settings)  # before NiceGUI is first imported (below): it picks its storage backend then

from portal.app import create_app  # noqa: E402
from portal.observability import configure_logging  # noqa: E402

app = create_app(settings, settle=True)  # a serving process: see portal.heap.settle

if __name__ == '__main__':
    configure_logging(json=settings.log_format == 'json', level=settings.log_level)
    # log_config=None: uvicorn's loggers go through the portal's handler (format, redaction) instead of their own
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=settings.access_log,
    )
