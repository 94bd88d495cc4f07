from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.store.news.models import NewsKind
from portal.store.reception.models import ReceptionEventKind, ReceptionState
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0009_poll_notices')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='followers', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'follows', 'app': 'portal', 'unique_together': (('executive', 'person'),), 'indexes': [Index(fields=['person_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A citizen follows an executive: its new items reach them as notices.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NewsItem',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='news', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='NEWS: news\nANNOUNCEMENT: announcement\nWORK: work', enum_type=NewsKind, max_length=16)),
                ('title', fields.CharField(max_length=200)),
                ('body_html', fields.TextField(unique=False)),
                ('body_text', fields.TextField(unique=False)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('tags', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('tag_key', fields.CharField(default='', max_length=206)),
                ('location', fields.CharField(default='', max_length=200)),
                ('image_name', fields.CharField(null=True, unique=True, max_length=64)),
                ('image_type', fields.CharField(default='', max_length=32)),
                ('published_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'news_items', 'app': 'portal', 'indexes': [Index(fields=['executive_id', 'published_at'])], 'pk_attr': 'id', 'table_description': 'One published item. The body is kept as sanitised HTML (a safe subset) and as plain text for search and'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionCalendar',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', unique=True, db_constraint=True, to_field='id', related_name='reception_calendars', on_delete=OnDelete.CASCADE)),
                ('hours', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('slot_minutes', fields.IntField(default=20)),
                ('place', fields.CharField(default='', max_length=200)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception_calendars', 'app': 'portal', 'pk_attr': 'id', 'table_description': 'An executive\'s reception hours: per ISO weekday (1 Monday … 7 Sunday) a list of [start, end] times ("10:00"),'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionOfficial',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='reception_officials', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=120)),
                ('position', fields.CharField(max_length=160)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception_officials', 'app': 'portal', 'pk_attr': 'id', 'table_description': "A member of the executive's staff who receives citizens: a name and a position."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=24)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='reception_requests', on_delete=OnDelete.RESTRICT)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='reception_requests', on_delete=OnDelete.RESTRICT)),
                ('topic', fields.CharField(max_length=32)),
                ('summary', fields.TextField(unique=False)),
                ('preferred_days', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('state', fields.CharEnumField(db_index=True, description='REQUESTED: requested\nSCHEDULED: scheduled\nDONE: done\nNO_SHOW: no_show\nCANCELLED: cancelled\nDECLINED: declined', enum_type=ReceptionState, max_length=16)),
                ('open_key', fields.CharField(null=True, unique=True, max_length=80)),
                ('official', fields.ForeignKeyField('portal.ReceptionOfficial', source_field='official_id', null=True, db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('place', fields.CharField(default='', max_length=200)),
                ('slot_key', fields.CharField(null=True, unique=True, max_length=80)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception_requests', 'app': 'portal', 'indexes': [Index(fields=['executive_id', 'state']), Index(fields=['person_id', 'created_at']), Index(fields=['state', 'starts_at'])], 'pk_attr': 'id', 'table_description': "A citizen's request for a meeting. While it is open, ``open_key`` (citizen and executive) is set and unique,"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('portal.ReceptionRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REQUESTED: requested\nSCHEDULED: scheduled\nRESCHEDULED: rescheduled\nDECLINED: declined\nCANCELLED: cancelled\nDONE: done\nNO_SHOW: no_show\nREMINDED: reminded', enum_type=ReceptionEventKind, max_length=16)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.CharField(default='', max_length=500)),
                ('by', fields.CharField(max_length=16)),
            ],
            options={'table': 'reception_events', 'app': 'portal', 'indexes': [Index(fields=['request_id', 'at'])], 'pk_attr': 'id', 'table_description': "One step of a request's timeline, shown to both sides."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionFile',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('portal.ReceptionRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=160)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_name', fields.CharField(unique=True, max_length=64)),
                ('position', fields.IntField()),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception_files', 'app': 'portal', 'pk_attr': 'id', 'table_description': "A document attached to a request, under the letters' rules for files."},
            bases=['Model'],
        ),
    ]
