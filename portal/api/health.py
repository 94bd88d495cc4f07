"""Health of the portal, for load balancers and monitoring.

The answer is 503 only when the database does not answer: this process cannot serve anyone then. A late scheduler
is reported but keeps 200: the app still serves citizens, and taking every app process out of the load balancer
because the one scheduler stopped would turn late notices into an outage. Monitoring alerts on ``scheduler``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from portal import db
from portal.api.deps import Now
from portal.store import heartbeat

router = APIRouter(tags=['health'])


class HealthOut(BaseModel):
    status: Literal['ok', 'degraded'] = Field(description='`degraded` (with 503) when the database does not answer')
    database: Literal['ok', 'unavailable']
    scheduler: Literal['ok', 'late', 'unknown'] = Field(
        description='`ok`: the scheduler beat within 3 minutes; `late`: it beat before (the answer stays 200); '
        '`unknown`: no scheduler has ever run against this database, or the database does not answer'
    )
    scheduler_seen_at: datetime | None = Field(description="The scheduler's last heartbeat")


@router.get('/health', response_model=HealthOut, responses={503: {'model': HealthOut}})
async def health(now: Now) -> JSONResponse:
    """Report whether the database answers and the scheduler runs."""
    try:
        scheduler = await heartbeat.scheduler_health(now=now) if await db.ping() else None
    except Exception:  # the database went away between the two queries
        scheduler = None
    if scheduler is None:
        down = HealthOut(status='degraded', database='unavailable', scheduler='unknown', scheduler_seen_at=None)
        return JSONResponse(down.model_dump(mode='json'), status_code=503)
    body = HealthOut(status='ok', database='ok', scheduler=scheduler.state, scheduler_seen_at=scheduler.seen_at)
    return JSONResponse(body.model_dump(mode='json'))
