"""Health of the portal, for load balancers and monitoring."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from portal import db

router = APIRouter(tags=['health'])


class HealthOut(BaseModel):
    status: Literal['ok', 'degraded']
    database: Literal['ok', 'unavailable']


@router.get('/health', response_model=HealthOut, responses={503: {'model': HealthOut}})
async def health() -> JSONResponse:
    """Report whether the portal and its database answer."""
    ok = await db.ping()
    body = HealthOut(status='ok' if ok else 'degraded', database='ok' if ok else 'unavailable')
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
