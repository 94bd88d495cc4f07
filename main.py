"""Kabinet: settings → app (API, pages, jobs) → serve."""

import logging

import uvicorn

from portal.app import create_app
from portal.config import get_settings

settings = get_settings()
app = create_app(settings)

if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=True, log_level='info')
