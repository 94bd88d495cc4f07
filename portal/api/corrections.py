"""Correction requests: an agency lists what citizens reported as wrong in its records, and answers them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient
from portal.api.registry import RecordOut
from portal.store import corrections
from portal.store.corrections import CorrectionState, CorrectionView

router = APIRouter(prefix='/registry/corrections', tags=['corrections'])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': 'The key lacks `registry:write`'},
}
ANSWER_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {'description': '`malformed_json`: the body is not JSON'},
    404: {'description': "No such request among the key's agency's requests"},
    422: {'description': 'Invalid data, note or reason; or the request is already answered (`correction_resolved`)'},
}


class CorrectionOut(BaseModel):
    id: UUID
    record_id: UUID
    kind: str
    ref: str
    fin: str = Field(description="The citizen's FIN")
    citizen_name: str
    data: dict[str, Any] = Field(description="The record's data as it is now")
    reported_version: int = Field(description='The version of the record the citizen reported')
    version: int = Field(description="The record's version now")
    comment: str = Field(description='What the citizen says is wrong')
    state: CorrectionState
    reason: str = Field(description='The answer: the reason of a rejection, or the note of an acceptance')
    resolved_by: str
    created_at: datetime
    resolved_at: datetime | None


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    data: dict[str, Any] = Field(description="The corrected record: every field, as declared for the record's kind")
    note: str = Field(default='', description='A note for the citizen (at most 1000 characters)')


class RejectIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    reason: str = Field(description='Why the record stays as it is; the citizen reads it (at most 1000 characters)')


@router.get('', response_model=list[CorrectionOut], responses=ERRORS)
async def list_corrections(
    client: CurrentClient,
    state: Annotated[CorrectionState | None, Query(description='Only requests in this state; all when absent')] = None,
    limit: Annotated[int, Query(ge=1, le=corrections.PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CorrectionOut]:
    """List the correction requests addressed to the key's agency, oldest first; needs scope `registry:write`."""
    views = await corrections.list_agency_corrections(actor=client, state=state, limit=limit, offset=offset)
    return [_out(v) for v in views]


@router.post('/{correction_id}/accept', response_model=RecordOut, responses=ANSWER_ERRORS)
async def accept_correction(correction_id: UUID, body: AcceptIn, client: CurrentClient) -> RecordOut:
    """Accept a correction request and replace the record's data with the corrected data; returns the record."""
    result = await corrections.accept_correction(
        actor=client, correction_id=correction_id, data=body.data, note=body.note, now=datetime.now(UTC)
    )
    return RecordOut.of(result.record)


@router.post('/{correction_id}/reject', response_model=CorrectionOut, responses=ANSWER_ERRORS)
async def reject_correction(correction_id: UUID, body: RejectIn, client: CurrentClient) -> CorrectionOut:
    """Reject a correction request with the reason the citizen will read; returns the request."""
    view = await corrections.reject_correction(
        actor=client, correction_id=correction_id, reason=body.reason, now=datetime.now(UTC)
    )
    return _out(view)


def _out(v: CorrectionView) -> CorrectionOut:
    return CorrectionOut(
        id=v.id,
        record_id=v.record_id,
        kind=v.record_kind,
        ref=v.record_ref,
        fin=v.citizen_fin,
        citizen_name=v.citizen_name,
        data=v.record_data,
        reported_version=v.record_version,
        version=v.current_version,
        comment=v.comment,
        state=v.state,
        reason=v.reason,
        resolved_by=v.resolved_by,
        created_at=v.created_at,
        resolved_at=v.resolved_at,
    )
