"""Observability: structured logs with redaction, Prometheus metrics (``GET /metrics``), the scheduler's job counters.

Logs are configured once per process by ``configure_logging`` (``main.py``, ``python -m jobs``). Whatever the format,
a redaction filter rewrites every record before it is written: bearer credentials, API keys, long opaque tokens,
secrets in query strings and FIN-like values become ``[redacted]``. It is the second line of defence: the portal's
own log calls never pass such values.

Metrics live in this module's registry, one per process: each app process (and ``python -m jobs``) serves its own
figures, and Prometheus scrapes every process (docs/observability.md).
"""

from __future__ import annotations

import gc
import hmac
import ipaddress
import logging
import math
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from time import perf_counter
from typing import Any, TextIO

import orjson
from fastapi.telemetry import TelemetryConfig
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
    start_http_server,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

TEXT_FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s'
REDACTED = '[redacted]'
# loggers whose chatty levels carry values: SQL with its parameters (FINs, hashes), every job run
QUIET_LOGGERS = {
    'tortoise.db_client': logging.INFO,
    'aiosqlite': logging.INFO,
    'apscheduler.executors': logging.WARNING,
    'fontTools': logging.WARNING,  # a line per table of every font subset a PDF embeds
}

_TOKEN_CHARS = r'A-Za-z0-9_\-'
_SECRET_NAMES = r'token|key|secret|passw|pwd|session|sig|fin|otp|auth|ticket|credential'
REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # an Authorization header, whatever its scheme, and any bearer or basic credentials
    (re.compile(r"""(?i)(authorization["']?\s*[:=]\s*["']?)[^"'\s,}]+(?:[ \t]+[^"'\s,}]+)?"""), rf'\1{REDACTED}'),
    (re.compile(r'(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+'), rf'\1 {REDACTED}'),
    # API keys (kab_<lookup>_<secret>)
    (re.compile(r'\bkab_[A-Za-z0-9]+_[A-Za-z0-9_\-]+'), f'kab_{REDACTED}'),
    # a query parameter (or key=value pair) whose name says secret: ?token=…, &api_key=…, fin=…, password: …
    (
        re.compile(rf'(?i)([?&;][^=&\s#"\']*(?:{_SECRET_NAMES})[^=&\s#"\']*=)(?!\[redacted\])[^&\s#"\']*'),
        rf'\1{REDACTED}',
    ),
    (
        re.compile(
            r"""(?i)(["']?\b(?:[\w-]*[_-])?(?:password|passwd|pwd|secret|token|api[_-]?key|fin|otp)["']?\s*[:=]\s*)"""
            r"""(?!\[redacted\])("[^"]*"|'[^']*'|[^\s,&}\]]+)"""
        ),
        rf'\1{REDACTED}',
    ),
    # a value pydantic puts in its validation errors
    (re.compile(r"""(input_value=)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,\]\s]+)"""), rf'\1{REDACTED}'),
    # long opaque tokens (session tokens, secrets): 32+ URL-safe characters with letters and digits, UUIDs excepted
    (
        re.compile(
            rf'(?<![{_TOKEN_CHARS}])(?![0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-'
            rf'[0-9a-fA-F]{{12}}(?![{_TOKEN_CHARS}]))(?=[{_TOKEN_CHARS}]*[0-9])(?=[{_TOKEN_CHARS}]*[A-Za-z])'
            rf'[{_TOKEN_CHARS}]{{32,}}(?![{_TOKEN_CHARS}])'
        ),
        REDACTED,
    ),
    # FIN-like values: 7 capital letters and digits, with at least one of each
    (re.compile(r'(?<![A-Za-z0-9])(?=[A-Z0-9]{0,6}[0-9])(?=[A-Z0-9]{0,6}[A-Z])[A-Z0-9]{7}(?![A-Za-z0-9])'), REDACTED),
)
# the attributes every LogRecord has: anything else on a record came through ``extra=``
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {'message', 'asctime', 'taskName', 'color_message'}


# the patterns above that can match only where a name meets its value, at a ':' or an '=' (0, 3, 4 and 5): a text
# without either (most access lines' paths) skips them, the costliest among them included
_SEPARATED = frozenset(REDACTIONS[i][0] for i in (0, 3, 4, 5))


def redact(text: str) -> str:
    """The text without credentials, tokens, secrets in query strings and FIN-like values."""
    separated = ':' in text or '=' in text
    for pattern, replacement in REDACTIONS:
        if separated or pattern not in _SEPARATED:
            text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Rewrite a record's message, extra fields and traceback through ``redact`` before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: the handler reports it as usual
            return True
        if record.name == 'uvicorn.access' and isinstance(record.args, tuple) and len(record.args) == 5:
            # uvicorn's access line as fields: client, method, path with its query string, HTTP version, status.
            # Only the path can carry a value (its query string): it alone is redacted, and the line is made from it
            # (a line per request: running every pattern over the whole line and each field would cost the request
            # more than its own work)
            client, method, path, version, status = record.args
            path = redact(str(path))
            record.client, record.method, record.path, record.status = client, method, path, status
            record.msg, record.args = f'{client} - "{method} {path} HTTP/{version}" {status}', None
            return True
        record.msg, record.args = redact(message), None
        for key, value in list(vars(record).items()):
            if key in _RECORD_ATTRS or value is None or isinstance(value, bool | int | float):
                continue
            # a structured value (a dict, an id) is written as its redacted text
            setattr(record, key, redact(value if isinstance(value, str) else str(value)))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then the record's extra fields and
    its traceback (``exception``)."""

    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds')
        out: dict[str, Any] = {
            'time': created.replace('+00:00', 'Z'),
            'level': record.levelname,
            'logger': record.name,
            'message': record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith('_'):
                out.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out['exception'] = record.exc_text
        if record.stack_info:
            out['stack'] = self.formatStack(record.stack_info)
        return orjson.dumps(out, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(*, json: bool, level: str | int = 'INFO', stream: TextIO | None = None) -> logging.Handler:
    """Send every log record of the process to one handler (standard error by default), as JSON lines or text,
    through the redaction filter. Calling it again replaces the handler it installed before."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _PortalHandler)]:
        root.removeHandler(old)
    handler = _PortalHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(root.level, floor))
    return handler


class _PortalHandler(logging.StreamHandler[TextIO]):
    """The handler ``configure_logging`` installs (and replaces when called again)."""


# --- metrics -----------------------------------------------------------------------------------------------------

disable_created_metrics()  # no `*_created` twin of every series
REGISTRY = CollectorRegistry()
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

HTTP_METHODS = frozenset({'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'})
# FastAPI's own OpenTelemetry instrumentation, off in the portal's apps: requests are counted here and logged, and the
# instrumentation, even with no provider configured, asks OpenTelemetry for its providers on every request
FASTAPI_TELEMETRY: TelemetryConfig = {'tracing': False, 'metrics': False, 'logs': False, 'operation_spans': False}
HTTP_REQUESTS = Counter(
    'portal_http_requests',
    'HTTP requests answered, by method, route template and status',
    ['method', 'route', 'status'],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    'portal_http_request_duration_seconds',
    'Time from a request to the end of its response, by method and route template',
    ['method', 'route'],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    'portal_job_runs', 'Scheduled job runs, by job and outcome (ok, failed)', ['job', 'outcome'], registry=REGISTRY
)
OUTBOX_BACKLOG = Gauge(
    'portal_outbox_backlog', 'Notice deliveries (SMS, e-mail) due and not sent, read at scrape time', registry=REGISTRY
)
SCHEDULER_HEARTBEAT = Gauge(
    'portal_scheduler_heartbeat_timestamp_seconds',
    "Unix time of the scheduler's last heartbeat (0: never), read at scrape time",
    registry=REGISTRY,
)


GC_PAUSE = Histogram(
    'portal_gc_pause_seconds',
    "Time the process stood still while Python's cycle collector ran, by generation (2: a full collection)",
    ['generation'],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
# made now: taking a label's child inside the collector's callback could allocate while the metric's lock is held
_GC_PAUSES = tuple(GC_PAUSE.labels(str(generation)) for generation in range(3))


class _CollectorPauses:
    """A ``gc.callbacks`` entry: times each collection into ``portal_gc_pause_seconds``."""

    def __init__(self) -> None:
        self.started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == 'start':
            self.started = perf_counter()
        else:
            _GC_PAUSES[info['generation']].observe(perf_counter() - self.started)


def watch_collector() -> None:
    """Time the cycle collector's pauses in this process (once, however often called)."""
    if not any(isinstance(callback, _CollectorPauses) for callback in gc.callbacks):
        gc.callbacks.append(_CollectorPauses())


def _connected_clients() -> int:
    from nicegui import Client

    return sum(1 for client in list(Client.instances.values()) if client.has_socket_connection)


def _live_subscribers() -> int:
    from portal import live

    return live.hub.subscriber_count()


NICEGUI_CLIENTS = Gauge('portal_nicegui_clients', 'Browser clients connected to this process', registry=REGISTRY)
NICEGUI_CLIENTS.set_function(_connected_clients)
LIVE_SUBSCRIBERS = Gauge('portal_live_subscribers', "Subscriptions to this process's live hub", registry=REGISTRY)
LIVE_SUBSCRIBERS.set_function(_live_subscribers)


class RequestMetrics:
    """Pure ASGI middleware: counts HTTP requests and times them, labelled by the route template that answered
    (``/api/v1/letters/{letter_id}``, never the raw path), so that ids never become labels."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        base = scope.get('root_path', '')
        status = 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message['type'] == 'http.response.start':
                status = message['status']
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            method = scope['method'] if scope['method'] in HTTP_METHODS else 'OTHER'
            route = route_template(scope, base)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(perf_counter() - start)


def route_template(scope: Scope, base: str = '') -> str:
    """The template of the innermost route that took the request. FastAPI's routes leave themselves in the scope;
    a plain Starlette route (NiceGUI's favicon) is found by its endpoint; a mount without a route of its own (static
    files, an unknown path inside a mounted app) answers as ``<mount>/{path}``."""
    # the routers update this scope as they descend: root_path holds the mounts passed on the way
    prefix = str(scope.get('root_path', ''))[len(base) :]
    route = scope.get('route')
    if isinstance(route, Mount):
        return prefix + '/{path}'
    if route is not None and isinstance(getattr(route, 'path_format', None), str):
        return prefix + route.path_format
    endpoint = scope.get('endpoint')
    for candidate in getattr(scope.get('app'), 'routes', ()) if endpoint is not None else ():
        if getattr(candidate, 'endpoint', None) is endpoint and not isinstance(candidate, Mount):
            return prefix + str(candidate.path_format)
    return prefix + '/{path}' if prefix else 'unmatched'


def install(app: Starlette, *, token: str) -> None:
    """Count the app's requests, time the collector's pauses, serve ``GET /metrics`` (to loopback clients, or with the
    bearer token)."""
    watch_collector()
    app.add_middleware(RequestMetrics)
    app.add_route('/metrics', metrics_endpoint(token), methods=['GET'], include_in_schema=False)


def metrics_endpoint(token: str) -> Callable[[Request], Any]:
    expected = f'Bearer {token}'.encode() if token else b''

    async def metrics(request: Request) -> Response:
        """The Prometheus text format; 404 to anyone neither on loopback nor holding the token."""
        given = request.headers.get('authorization', '').encode()
        if not _loopback(request) and not (expected and hmac.compare_digest(given, expected)):
            return Response(status_code=404)
        await refresh_store_gauges(now=datetime.now(UTC))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return metrics


async def refresh_store_gauges(*, now: datetime) -> None:
    """Read what the gauges show from the database (the outbox backlog, the scheduler's heartbeat); NaN when the
    database does not answer."""
    from portal.store import heartbeat
    from portal.store.notices import delivery

    try:
        OUTBOX_BACKLOG.set(await delivery.count_due(now=now))
        seen_at = await heartbeat.last_heartbeat()
        SCHEDULER_HEARTBEAT.set(seen_at.timestamp() if seen_at else 0)
    except Exception:
        log.warning('metrics: the database did not answer', exc_info=True)
        OUTBOX_BACKLOG.set(math.nan)
        SCHEDULER_HEARTBEAT.set(math.nan)


def serve_job_metrics(port: int) -> None:
    """``python -m jobs`` has no web server: its figures (job runs) are served on 127.0.0.1 at ``port``."""
    start_http_server(port, addr='127.0.0.1', registry=REGISTRY)


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ''
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
