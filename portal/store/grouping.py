"""Calls that arrive together are handled together.

While one group is being handled (one query, one transaction), the calls arriving meanwhile gather into the next
group, so under load each round trip to the database serves many callers, and a lone call is handled at once. Each
caller waits for its own answer: a result, or an error that concerns that call alone; should the handler itself fail,
every call of its group hears that failure.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar('T')
R = TypeVar('R')


@dataclass(eq=False)
class Call(Generic[T, R]):
    item: T
    future: asyncio.Future[R] = field(repr=False)

    @property
    def answered(self) -> bool:
        return self.future.done()

    def answer(self, result: R) -> None:
        if not self.future.done():
            self.future.set_result(result)

    def refuse(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)


class Grouped(Generic[T, R]):
    def __init__(self, handle: Callable[[list[Call[T, R]]], Awaitable[None]], *, name: str, largest: int) -> None:
        self._handle, self._name, self._largest = handle, name, largest
        self._waiting: list[Call[T, R]] = []
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a restarted server, a new test) starts afresh
            self._loop, self._waiting, self._worker = loop, [], None
        call: Call[T, R] = Call(item, loop.create_future())
        self._waiting.append(call)
        if self._worker is None or self._worker.done():
            # a context of its own: the group's queries never run inside the transaction of whichever caller came first
            self._worker = loop.create_task(self._work(), name=self._name, context=contextvars.Context())
        return await call.future

    async def _work(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[: self._largest], self._waiting[self._largest :]
            try:
                await self._handle(group)
            except Exception as exc:
                for call in group:
                    call.refuse(exc)
            for call in group:  # a handler must answer every call; one it forgot is not left waiting forever
                call.refuse(RuntimeError(f'{self._name}: no answer'))
