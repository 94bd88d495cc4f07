"""The SMS gateway's delivery receipts: whether an SMS reached the phone, authenticated by the gateway's signature
(no API key). A receipt the portal cannot use (unknown message, delivery already final) is acknowledged as ``ignored``,
not refused, so the gateway stops retrying it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portal.channels.sms import SIGNATURE_HEADER, verify_receipt
from portal.config import get_settings
from portal.errors import N_, Invalid
from portal.store.notices.delivery import record_receipt

router = APIRouter(prefix='/notifications', tags=['notifications'])

BODY_MAX = 16 * 1024
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': '`bad_signature`: missing, wrong or too old signature'},
    422: {'description': '`malformed_receipt`: a correctly signed body that is not a receipt'},
}


class ReceiptIn(BaseModel):
    """The body of a delivery receipt."""

    model_config = ConfigDict(extra='forbid')

    id: str = Field(min_length=1, max_length=128, description="The gateway's message id, as it answered the send")
    status: Literal['delivered', 'failed']
    reason: str = Field(default='', max_length=500, description='Why it failed, in the gateway’s words')


class ReceiptOut(BaseModel):
    status: Literal['recorded', 'ignored']


async def clock() -> datetime:
    """The moment a receipt is handled (a dependency, so that tests can set it)."""
    return datetime.now(UTC)


async def receipt_secret() -> str:
    """The secret shared with the SMS gateway (a dependency, so that tests can set it)."""
    return get_settings().sms_receipt_secret


@router.post(
    '/sms/receipt',
    response_model=ReceiptOut,
    responses=ERRORS,
    openapi_extra={
        'requestBody': {'required': True, 'content': {'application/json': {'schema': ReceiptIn.model_json_schema()}}}
    },
)
async def sms_receipt(
    request: Request,
    now: Annotated[datetime, Depends(clock)],
    secret: Annotated[str, Depends(receipt_secret)],
    signature: Annotated[
        str,
        Header(
            alias=SIGNATURE_HEADER,
            description='`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + raw body, keyed with the receipt secret>`',
        ),
    ] = '',
) -> ReceiptOut:
    """Record the SMS gateway's signed receipt: the SMS was delivered to the phone, or failed for good."""
    body = await request.body()
    if len(body) > BODY_MAX:
        raise Invalid('malformed_receipt', N_('The receipt is too large.'))
    verify_receipt(body, signature, secret, now)  # before parsing: an unsigned body is not looked at
    try:
        receipt = ReceiptIn.model_validate_json(body)
    except ValidationError as exc:
        raise Invalid('malformed_receipt', N_('The body is not a delivery receipt.')) from exc
    recorded = await record_receipt(
        provider_id=receipt.id,
        delivered=receipt.status == 'delivered',
        reason=receipt.reason or 'the gateway reports the SMS undelivered',
        now=now,
    )
    return ReceiptOut(status='recorded' if recorded else 'ignored')
