"""Domain errors: raised by the store, mapped once to JSON (api) and once to notifications (pages).

``code`` is stable and machine-readable; ``message`` is an English msgid, translated by the UI.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        # the field is also available to the message, e.g. 'The field {field} is not valid'
        self.params = {'field': field, **params} if field else params

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.code!r})'


class Invalid(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Throttled(DomainError):
    status = 429

    def __init__(self, code: str, message: str, *, retry_after: int) -> None:
        super().__init__(code, message, seconds=retry_after)
        self.retry_after = retry_after
