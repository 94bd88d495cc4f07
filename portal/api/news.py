"""Məlumatlandırma through the API: published items are public (no key), searched and paged; a local executive's key
with `news:write` publishes, edits and withdraws its own executive's items. The body is sanitised by the store to a
safe subset of HTML, and an image (base64) is judged by its content.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient, Now
from portal.errors import N_, Invalid
from portal.store.news import content, publishing
from portal.store.news.models import LOCATION_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX, NewsKind
from portal.store.news.publishing import NewsView

router = APIRouter(tags=['news'])
# base64 takes four characters for every three bytes
IMAGE_BASE64_MAX = (content.MAX_IMAGE_BYTES + 2) // 3 * 4

LIST_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {'description': '`executive_not_found`: no local executive has this code'},
    422: {'description': '`too_long` (field `q`), `validation_error`'},
}
GET_ERRORS: dict[int | str, dict[str, Any]] = {404: {'description': '`news_not_found`: no such item'}}
WRITE_401 = {'description': '`missing_api_key`, `invalid_api_key`'}
WRITE_403 = {
    'description': '`insufficient_scope`: the key lacks `news:write`; `not_an_executive`: the key is not a local '
    "executive's; `other_executive`: `executive` names another executive than the key's"
}
INPUT_422 = (
    'Invalid input, named in `field`: `required`, `too_long`, `unknown_kind`, `invalid_tag`, `too_many_tags`, '
    '`image_empty`, `image_too_large`, `image_type_not_allowed`, `invalid_base64`, `validation_error`'
)
PUBLISH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: WRITE_401,
    403: WRITE_403,
    413: {'description': '`request_too_large`: the request body is too large'},
    422: {'description': INPUT_422},
}
EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    **PUBLISH_ERRORS,
    404: {'description': "`news_not_found`: no such item among the key's executive's"},
}
WITHDRAW_ERRORS: dict[int | str, dict[str, Any]] = {
    401: WRITE_401,
    403: WRITE_403,
    404: {'description': "`news_not_found`: no such item among the key's executive's"},
}
BODY_DOC = (
    'HTML of a safe subset — p, br, b, strong, i, em, ul, ol, li, h3, h4, blockquote, and links (a href) with '
    'http(s) addresses only; anything else is removed, its text kept (scripts, styles and frames with their content)'
)


class ExecutiveOut(BaseModel):
    code: str
    name: str = Field(description="The local executive's name, in Azerbaijani")


class NewsOut(BaseModel):
    id: UUID
    executive: ExecutiveOut
    kind: NewsKind = Field(description='`news`, `announcement`, or `work` (a work done, with its location)')
    title: str
    body_html: str = Field(description='The sanitised HTML of the body')
    body_text: str = Field(description='The body as plain text')
    tags: list[str]
    location: str = Field(description="Where a work was done ('' for other kinds, unless given)")
    image_url: str | None = Field(description="The image's path on the portal, if any")
    published_at: datetime
    updated_at: datetime | None = Field(description='The last edit, if any')


class NewsPageOut(BaseModel):
    items: list[NewsOut]
    total: int = Field(description='Items matching, over all pages')
    offset: int
    limit: int


class NewsIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    kind: NewsKind
    title: str = Field(max_length=4 * TITLE_MAX, description=f'At most {TITLE_MAX} characters')
    body: str = Field(max_length=content.BODY_HTML_MAX, description=BODY_DOC)
    location: str = Field(
        default='', max_length=4 * LOCATION_MAX, description=f'Needed for `work`; at most {LOCATION_MAX} characters'
    )
    tags: list[Annotated[str, Field(max_length=4 * TAG_MAX)]] = Field(
        default_factory=list, max_length=4 * TAGS_MAX, description=f'At most {TAGS_MAX} tags of {TAG_MAX} characters'
    )
    image_base64: str | None = Field(
        default=None,
        max_length=2 * IMAGE_BASE64_MAX,  # a somewhat larger image gets the store's own refusal
        description='A PNG, JPEG or WebP picture of at most 5 MB, base64-encoded; judged by its content',
    )


class PublishIn(NewsIn):
    executive: str | None = Field(
        default=None, max_length=40, description="The key's own executive's code (optional; another is refused)"
    )


class EditIn(NewsIn):
    drop_image: bool = Field(default=False, description='Remove the image (a new `image_base64` replaces it anyway)')


@router.get('/news', response_model=NewsPageOut, responses=LIST_ERRORS)
async def list_news(
    executive: Annotated[str | None, Query(max_length=40, description="Only this local executive's items")] = None,
    q: Annotated[str, Query(max_length=4 * publishing.QUERY_MAX, description='Words in the title or text')] = '',
    tag: Annotated[str, Query(max_length=4 * TAG_MAX, description='Items with this tag')] = '',
    limit: Annotated[int, Query(ge=1, le=publishing.PAGE_MAX)] = publishing.PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=publishing.OFFSET_MAX)] = 0,
) -> NewsPageOut:
    """List published items, the newest first, with the total; public, no key needed."""
    page = await publishing.list_news(executive_code=executive, query=q, tag=tag, limit=limit, offset=offset)
    return NewsPageOut(items=[_out(i) for i in page.items], total=page.total, offset=page.offset, limit=page.limit)


@router.get('/news/{item_id}', response_model=NewsOut, responses=GET_ERRORS)
async def get_news(item_id: UUID) -> NewsOut:
    """Get one published item; public, no key needed."""
    return _out(await publishing.get_item(item_id=item_id))


@router.post('/news', response_model=NewsOut, status_code=201, responses=PUBLISH_ERRORS)
async def publish(body: PublishIn, client: CurrentClient, now: Now) -> NewsOut:
    """Publish an item of the key's local executive; its followers are told; needs `news:write`."""
    item = await publishing.publish(
        actor=client,
        executive_code=body.executive,
        kind=body.kind,
        title=body.title,
        body=body.body,
        location=body.location,
        tags=body.tags,
        image=_image(body.image_base64),
        now=now,
    )
    return _out(item)


@router.put('/news/{item_id}', response_model=NewsOut, responses=EDIT_ERRORS)
async def edit(item_id: UUID, body: EditIn, client: CurrentClient, now: Now) -> NewsOut:
    """Replace the content of one of the executive's items; followers are not told again; needs `news:write`."""
    item = await publishing.edit(
        actor=client,
        item_id=item_id,
        kind=body.kind,
        title=body.title,
        body=body.body,
        location=body.location,
        tags=body.tags,
        image=_image(body.image_base64),
        drop_image=body.drop_image,
        now=now,
    )
    return _out(item)


@router.delete('/news/{item_id}', status_code=204, response_class=Response, responses=WITHDRAW_ERRORS)
async def withdraw(item_id: UUID, client: CurrentClient, now: Now) -> Response:
    """Withdraw one of the executive's items, with its image; needs `news:write`."""
    await publishing.withdraw(actor=client, item_id=item_id, now=now)
    return Response(status_code=204)


def _image(encoded: str | None) -> bytes | None:
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid('invalid_base64', N_('The image is not valid base64.'), field='image_base64') from None


def _out(view: NewsView) -> NewsOut:
    return NewsOut(
        id=view.id,
        executive=ExecutiveOut(code=view.executive_code, name=view.executive_name),
        kind=view.kind,
        title=view.title,
        body_html=view.body_html,
        body_text=view.body_text,
        tags=list(view.tags),
        location=view.location,
        image_url=view.image_url,
        published_at=view.published_at,
        updated_at=view.updated_at,
    )
