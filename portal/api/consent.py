"""Data sharing with consent: an organisation asks a citizen for categories of their data (``data:request``), follows
the citizen's decision, and reads what an active permission grants (``data:read``). The store checks the permission
and logs every read in the citizen's data tracker before anything is returned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient, Now
from portal.store.consent import permissions
from portal.store.consent.models import PURPOSE_MAX, RequestState
from portal.store.consent.permissions import CATEGORIES, RequestView

router = APIRouter(tags=['consent'])
Category = Annotated[str, Field(max_length=40)]

CATEGORY_CODES = ', '.join(f'`{c}`' for c in CATEGORIES)
REQUEST_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `data:request`'},
    404: {'description': '`citizen_not_found`: no citizen has this FIN'},
    422: {
        'description': 'Invalid input, named in `field`: `categories_required`, `unknown_category`, '
        '`purpose_required`, `too_long`, `invalid_date`, `period_in_past`, `period_too_long`, `validation_error`'
    },
    429: {'description': '`too_many_attempts`: too many requests for this citizen; wait `Retry-After` seconds'},
}
GET_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `data:request`'},
    404: {'description': "`request_not_found`: no such request among the key's organisation's"},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {
        'description': '`insufficient_scope`: the key lacks `data:read`; `no_permission`, `permission_expired`, '
        "`permission_revoked`: no active permission of the citizen for the key's organisation; "
        '`category_not_granted`: the active permission does not cover every category asked for'
    },
    404: {'description': '`citizen_not_found`: no citizen has this FIN'},
    422: {'description': 'Invalid input, named in `field`: `categories_required`, `unknown_category`'},
}


class DataRequestIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    fin: str = Field(min_length=1, max_length=16, description="The citizen's FIN")
    categories: list[Category] = Field(
        max_length=len(CATEGORIES), description=f'Categories of data asked for: {CATEGORY_CODES}'
    )
    # bounded here only to keep the work small: the store's rule (at most PURPOSE_MAX) speaks first below this
    purpose: str = Field(
        max_length=4 * PURPOSE_MAX, description=f'What the data is for, shown to the citizen (at most {PURPOSE_MAX})'
    )
    valid_until: date = Field(description='Last day of the permission asked for (at most three years)')
    valid_from: date | None = Field(default=None, description='First day of the permission; today when left out')


class DataRequestOut(BaseModel):
    id: UUID
    state: RequestState
    categories: list[str] = Field(description='The categories asked for')
    granted: list[str] = Field(description='The categories the citizen granted (none while pending or refused)')
    purpose: str
    valid_from: date
    valid_until: date
    created_at: datetime
    decided_at: datetime | None


class DataReadIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    fin: str = Field(min_length=1, max_length=16, description="The citizen's FIN")
    categories: list[Category] = Field(max_length=len(CATEGORIES), description=f'Categories to read: {CATEGORY_CODES}')


class RecordOut(BaseModel):
    kind: str
    ref: str
    data: dict[str, Any]
    updated_at: datetime | None = Field(default=None, description="None for the citizen's contacts (`communications`)")


class DataReadOut(BaseModel):
    access_id: UUID = Field(description="This read's entry in the citizen's data tracker")
    categories: list[str]
    records: dict[str, list[RecordOut]] = Field(description='Category → its registry records')


class CategoryOut(BaseModel):
    code: str
    name: str = Field(description="The category's name, in English")
    kinds: list[str] = Field(description='The registry kinds the category covers')


@router.post('/data-requests', response_model=DataRequestOut, status_code=201, responses=REQUEST_ERRORS)
async def request_data(body: DataRequestIn, client: CurrentClient, now: Now) -> DataRequestOut:
    """Ask a citizen for categories of their data, for a purpose and a period; needs `data:request`."""
    view = await permissions.request_data(
        actor=client,
        fin=body.fin,
        categories=body.categories,
        purpose=body.purpose,
        valid_until=body.valid_until,
        valid_from=body.valid_from,
        now=now,
    )
    return _request_out(view)


@router.get('/data-requests/{request_id}', response_model=DataRequestOut, responses=GET_ERRORS)
async def get_request(request_id: UUID, client: CurrentClient) -> DataRequestOut:
    """Get one of the organisation's requests and the citizen's decision; needs `data:request`."""
    return _request_out(await permissions.get_request(actor=client, request_id=request_id))


@router.post('/data/read', response_model=DataReadOut, responses=READ_ERRORS)
async def read_data(body: DataReadIn, client: CurrentClient, now: Now) -> DataReadOut:
    """Read categories of a citizen's data that an active permission grants; the read is logged; needs `data:read`."""
    read = await permissions.read_data(actor=client, fin=body.fin, categories=body.categories, now=now)
    records = {c: [RecordOut.model_validate(r) for r in rs] for c, rs in read.records.items()}
    return DataReadOut(access_id=read.access_id, categories=list(read.categories), records=records)


@router.get(
    '/data/categories', response_model=list[CategoryOut], responses={401: {'description': 'Missing or invalid key'}}
)
async def list_categories(client: CurrentClient) -> list[CategoryOut]:
    """List the seven categories of data, with the registry kinds each covers."""
    return [CategoryOut(code=code, name=name, kinds=list(kinds)) for code, (name, kinds) in CATEGORIES.items()]


def _request_out(view: RequestView) -> DataRequestOut:
    return DataRequestOut(
        id=view.id,
        state=view.state,
        categories=list(view.categories),
        granted=list(view.granted),
        purpose=view.purpose,
        valid_from=view.valid_from,
        valid_until=view.valid_until,
        created_at=view.created_at,
        decided_at=view.decided_at,
    )
