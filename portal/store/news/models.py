"""News, announcements and works done published by local executives, and the citizens who follow an executive."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

TITLE_MAX = 200
LOCATION_MAX = 200
TAG_MAX = 40
TAGS_MAX = 5
TAG_KEY_MAX = (TAG_MAX + 1) * TAGS_MAX + 1


class NewsKind(StrEnum):
    NEWS = 'news'
    ANNOUNCEMENT = 'announcement'
    WORK = 'work'  # a work done, such as a road repaired, with its location


class NewsItem(Model):
    """One published item. The body is kept as sanitised HTML (a safe subset) and as plain text for search and
    feeds. The image, if any, is a checked upload kept under a random storage name."""

    id = fields.UUIDField(primary_key=True)
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='news', on_delete=fields.RESTRICT
    )
    executive_id: UUID
    kind = fields.CharEnumField(NewsKind, max_length=16)
    title = fields.CharField(max_length=TITLE_MAX)
    body_html = fields.TextField()
    body_text = fields.TextField()
    # the title, text, location and tags as searched (folded by Azerbaijani case rules, see ``search_key``)
    search_text = fields.TextField(default='')
    tags: list[str] = fields.JSONField(default=list)
    # the folded tags between bars ('|yol təmiri|asfalt|'), so one tag is found with a plain LIKE on both databases
    tag_key = fields.CharField(max_length=TAG_KEY_MAX, default='')
    location = fields.CharField(max_length=LOCATION_MAX, default='')
    image_name = fields.CharField(max_length=64, null=True, unique=True)
    image_type = fields.CharField(max_length=32, default='')
    published_at = fields.DatetimeField(db_index=True)
    # the last edit, if any (feeds show it as the entry's update)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'news_items'
        indexes = (('executive_id', 'published_at'),)


class Follow(Model):
    """A citizen follows an executive: its new items reach them as notices."""

    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='follows', on_delete=fields.CASCADE
    )
    person_id: UUID
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='followers', on_delete=fields.CASCADE
    )
    executive_id: UUID
    created_at = fields.DatetimeField()

    class Meta:
        table = 'follows'
        # executive first: the followers of an executive are read a page at a time along this index
        unique_together = (('executive', 'person'),)
        indexes = (('person_id', 'created_at'),)
