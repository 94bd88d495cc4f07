"""Notices ("bildiriş"): an agency's system tells a citizen something, by FIN, with one of the types agencies may
send; the notice reaches the citizen's cabinet at once and goes out by SMS and e-mail as the citizen chose.

``POST /notifications`` takes an optional ``Idempotency-Key`` header: a retried request gets the first request's
notice back and tells the citizen nothing twice; the same key with a different request is refused (409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient, IdempotencyHeader, Now
from portal.store.idempotency import Idempotency
from portal.store.notices import cabinet
from portal.store.notices.models import Channel, DeliveryState
from portal.store.notices.outbox import known_types
from portal.store.notices.types import NoticeType

router = APIRouter(prefix='/notifications', tags=['notifications'])
OPERATION = 'POST /notifications'


SEND_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `notifications:write`'},
    404: {'description': '`citizen_not_found`: no citizen has this FIN'},
    409: {'description': '`idempotency_key_reused`: the Idempotency-Key was used for a different request'},
    422: {
        'description': 'Invalid input, named in `field`: `unknown_type`, `type_not_sendable`, `missing_variable`, '
        '`unknown_variable`, `invalid_variable` (each naming the variable), `invalid_params`, `invalid_link`, '
        '`idempotency_key_invalid`'
    },
}


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    fin: str = Field(min_length=1, max_length=16, description="The citizen's FIN")
    type: str = Field(max_length=40, description='A type agencies may send (see `GET /notifications/types`)')
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Exactly the type's variables, each a text of at most 300 characters; a name ending in `_on` "
        "takes an ISO date (shown in the reader's language)",
        examples=[{'document': 'Identity card', 'number': 'AZE12345678', 'expires_on': '2027-01-10'}],
    )
    link: str = Field(default='', max_length=200, description='A path in the portal the notice leads to')


class DeliveryOut(BaseModel):
    channel: Channel
    state: DeliveryState


class NoticeOut(BaseModel):
    id: UUID
    type: str
    created_at: datetime
    deliveries: list[DeliveryOut] = Field(
        description="The SMS and e-mail the notice goes out as, by the citizen's choices (none without contacts)"
    )


class NoticeTypeOut(BaseModel):
    number: int = Field(description="The type's place in the list of 19")
    code: str
    title: str = Field(description="The type's name, in English")
    template: str = Field(description='The text, in English, with its variables in braces')
    variables: list[str]
    agency: bool = Field(description='Agencies may send it through this API')
    opt_in: bool = Field(description='Only citizens who asked for it get it')
    channels: list[Channel] = Field(description='Where it goes unless the citizen chose otherwise')


@router.get('/types', response_model=list[NoticeTypeOut], responses={401: {'description': 'Missing or invalid key'}})
async def list_types(client: CurrentClient) -> list[NoticeTypeOut]:
    """List the 19 notice types: their variables, default channels and whether agencies may send them."""
    return [_type_out(t) for t in known_types()]


@router.post('', response_model=NoticeOut, status_code=201, responses=SEND_ERRORS)
async def send_notice(
    body: NoticeIn, client: CurrentClient, now: Now, idempotency_key: IdempotencyHeader = None
) -> NoticeOut:
    """Send a citizen a notice of a type agencies may send; needs `notifications:write`."""
    idem = None
    if idempotency_key is not None:
        payload = body.model_dump(mode='json')
        idem = Idempotency.of(client_id=client.client_id, key=idempotency_key, operation=OPERATION, payload=payload)
    sent = await cabinet.send_notice(
        actor=client, fin=body.fin, type=body.type, params=body.params, link=body.link, now=now, idempotency=idem
    )
    deliveries = [DeliveryOut(channel=d.channel, state=d.state) for d in sent.deliveries]
    return NoticeOut(id=sent.id, type=sent.type, created_at=sent.created_at, deliveries=deliveries)


def _type_out(spec: NoticeType) -> NoticeTypeOut:
    channels = [Channel.CABINET]
    channels += [c for c, on in ((Channel.SMS, spec.sms), (Channel.EMAIL, spec.email)) if on]
    return NoticeTypeOut(
        number=spec.number,
        code=spec.code,
        title=spec.title,
        template=spec.text,
        variables=sorted(spec.variables),
        agency=spec.agency,
        opt_in=spec.opt_in,
        channels=channels,
    )
