from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.store.audit import HistoryKind
from portal.store.consent.models import DisputeState, PermissionState, RequestState
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0006_notices')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChainHead',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('hash', fields.CharField(max_length=64)),
                ('count', fields.BigIntField(default=0)),
            ],
            options={'table': 'chain_heads', 'app': 'portal', 'pk_attr': 'name', 'table_description': "The newest hash of each chain ('access', 'history'): appending locks this row, so entries link one by one."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DataRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='data_requests', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='data_requests', on_delete=OnDelete.RESTRICT)),
                ('categories', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('purpose', fields.CharField(max_length=500)),
                ('valid_from', fields.DateField()),
                ('valid_until', fields.DateField()),
                ('state', fields.CharEnumField(db_index=True, description='PENDING: pending\nAPPROVED: approved\nPARTIAL: partial\nREFUSED: refused\nEXPIRED: expired', enum_type=RequestState, max_length=12)),
                ('granted', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'data_requests', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'state']), Index(fields=['organisation_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Permission',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='permissions', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='permissions', on_delete=OnDelete.RESTRICT)),
                ('categories', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('purpose', fields.CharField(max_length=500)),
                ('valid_from', fields.DateField()),
                ('valid_until', fields.DateField(db_index=True)),
                ('state', fields.CharEnumField(description='ACTIVE: active\nREVOKED: revoked\nEXPIRED: expired', enum_type=PermissionState, max_length=12)),
                ('request', fields.ForeignKeyField('portal.DataRequest', source_field='request_id', null=True, db_constraint=True, to_field='id', related_name='permissions', on_delete=OnDelete.SET_NULL)),
                ('uses', fields.IntField(default=0)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'permissions', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'organisation_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessEntry',
            fields=[
                ('seq', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('id', fields.UUIDField(unique=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.RESTRICT)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.RESTRICT)),
                ('permission', fields.ForeignKeyField('portal.Permission', source_field='permission_id', db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.RESTRICT)),
                ('categories', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('purpose', fields.CharField(max_length=500)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'access_log', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'at'])], 'pk_attr': 'seq', 'table_description': "One read of a citizen's data by an organisation: append-only, each entry chained to the one before."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessDispute',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('portal.AccessEntry', source_field='entry_id', db_constraint=True, to_field='seq', related_name='disputes', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='disputes', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(default=DisputeState.OPEN, description='OPEN: open\nCLOSED: closed', enum_type=DisputeState, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answer', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'access_disputes', 'app': 'portal', 'unique_together': (('entry', 'person'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=500)),
                ('secret', fields.CharField(max_length=128)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhooks', 'app': 'portal', 'pk_attr': 'id', 'table_description': "Where an organisation hears of its requests' decisions: an http(s) URL and the secret that signs the calls."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookCall',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('webhook', fields.ForeignKeyField('portal.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='calls', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('state', fields.CharField(default='queued', max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_calls', 'app': 'portal', 'indexes': [Index(fields=['state', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': "One event to post to a webhook (an outbox row, claimed and retried like a notice's delivery)."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='HistoryEvent',
            name='kind',
            field=fields.CharEnumField(description='LOGIN: login\nLOGOUT: logout\nSESSION_EXPIRED: session_expired\nDATA_UPDATED: data_updated\nDATA_CONFIRMED: data_confirmed\nCORRECTION_REQUESTED: correction_requested\nCORRECTION_RESOLVED: correction_resolved\nPAYMENT_SUCCEEDED: payment_succeeded\nPAYMENT_FAILED: payment_failed\nSERVICE_USED: service_used\nLETTER_SENT: letter_sent\nLETTER_RECEIVED: letter_received\nCONSENT_GRANTED: consent_granted\nCONSENT_REFUSED: consent_refused\nCONSENT_REVOKED: consent_revoked\nDATA_SHARED: data_shared', enum_type=HistoryKind, max_length=24),
        ),
        ops.AddField(
            model_name='HistoryEvent',
            name='hash',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='HistoryEvent',
            name='prev_hash',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='HistoryEvent',
            name='seq',
            field=fields.BigIntField(null=True, unique=True),
        ),
        # the chains start from their genesis hash (rows written before this migration stay outside the chain)
        ops.RunSQL(
            "INSERT INTO chain_heads (name, hash, count) VALUES "
            "('access', '0000000000000000000000000000000000000000000000000000000000000000', 0), "
            "('history', '0000000000000000000000000000000000000000000000000000000000000000', 0)"
        ),
        ops.AlterModelOptions(
            name='NoticeSettings',
            options={'table': 'notice_settings', 'app': 'portal', 'pk_attr': 'person_id', 'table_description': "A citizen's contact details and choices: which types go by SMS or e-mail, quiet hours, the daily digest."},
        ),
    ]
