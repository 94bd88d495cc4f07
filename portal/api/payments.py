"""Payment gateway callbacks: the gateway reports a payment's result, authenticated by its signature (no API key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from portal.errors import N_, NotFound
from portal.payments import get_gateway
from portal.payments.sandbox import NAME as SANDBOX
from portal.payments.sandbox import SIGNATURE_HEADER, SandboxEvent
from portal.store import payments

router = APIRouter(prefix='/payments', tags=['payments'])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`callback_replayed`: signed too long ago, or an event id already received with another body'},
    401: {'description': '`invalid_signature`: missing or wrong signature'},
    404: {'description': 'The sandbox gateway is not the configured gateway'},
    422: {'description': '`malformed_callback`: a correctly signed body that is not a sandbox event'},
}


class CallbackOut(BaseModel):
    status: Literal['processed', 'duplicate', 'ignored']


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its nested models written out (the body is documented, not parsed, here)."""
    schema = model.model_json_schema()
    defs = schema.pop('$defs', {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get('$ref', '')
            if ref.startswith('#/$defs/'):
                return inline(defs[ref.removeprefix('#/$defs/')])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


@router.post(
    '/sandbox/callback',
    response_model=CallbackOut,
    responses=ERRORS,
    openapi_extra={
        'requestBody': {
            'required': True,
            'content': {'application/json': {'schema': _inline_schema(SandboxEvent)}},
        }
    },
)
async def sandbox_callback(
    request: Request,
    signature: Annotated[
        str,
        Header(
            alias=SIGNATURE_HEADER,
            description='`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + raw body, keyed with the payment secret>`',
        ),
    ] = '',
) -> CallbackOut:
    """Apply the sandbox gateway's signed verdict on a payment; a redelivered event is acknowledged as duplicate."""
    gateway = get_gateway()
    if gateway.name != SANDBOX:
        raise NotFound('not_found', N_('Not found.'))
    ack = await payments.handle_callback(
        gateway=gateway, headers={SIGNATURE_HEADER: signature}, body=await request.body(), now=datetime.now(UTC)
    )
    return CallbackOut(status=ack.status)
