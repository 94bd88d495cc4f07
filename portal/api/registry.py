"""Registry records: an owning agency creates or updates a citizen's record."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient
from portal.store import registry
from portal.store.registry import RecordView

router = APIRouter(prefix='/registry', tags=['registry'])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': 'The key lacks `registry:write`, or its agency does not own this kind'},
    404: {'description': 'Unknown FIN or unknown kind'},
    422: {'description': 'The record does not match its kind'},
}


class RecordIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    fin: str = Field(min_length=1, max_length=16, description="The citizen's FIN (7 Latin letters or digits)")
    kind: str = Field(min_length=1, max_length=40, examples=['address'])
    ref: str = Field(default='', max_length=64, description='Distinguishes several records of one kind')
    data: dict[str, Any] = Field(description="The record's fields, as declared for its kind")


class RecordOut(BaseModel):
    id: UUID
    kind: str
    ref: str
    data: dict[str, Any]
    source: str
    valid_until: date | None
    version: int
    updated_at: datetime

    @classmethod
    def of(cls, r: RecordView) -> RecordOut:
        return cls(
            id=r.id,
            kind=r.kind,
            ref=r.ref,
            data=r.data,
            source=r.source_code,
            valid_until=r.valid_until,
            version=r.version,
            updated_at=r.updated_at,
        )


@router.post('/records', response_model=RecordOut, status_code=201, responses={200: {'model': RecordOut}, **ERRORS})
async def upsert_record(body: RecordIn, client: CurrentClient) -> JSONResponse:
    """Create (201) or update (200) a citizen's registry record; needs scope `registry:write`."""
    result = await registry.upsert_record(
        actor=client, fin=body.fin, kind=body.kind, ref=body.ref, data=body.data, now=datetime.now(UTC)
    )
    out = RecordOut.of(result.record)
    return JSONResponse(out.model_dump(mode='json'), status_code=201 if result.created else 200)
