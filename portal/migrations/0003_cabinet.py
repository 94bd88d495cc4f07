from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.store.audit import HistoryKind
from portal.store.corrections import CorrectionState
from portal.store.payments import PaymentState
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0002_throttles')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CorrectionRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('record', fields.ForeignKeyField('portal.RegistryRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.RESTRICT)),
                ('record_version', fields.IntField()),
                ('comment', fields.CharField(max_length=1000)),
                ('state', fields.CharEnumField(default=CorrectionState.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected', enum_type=CorrectionState, max_length=16)),
                ('reason', fields.CharField(default='', max_length=1000)),
                ('resolved_by', fields.CharField(default='', max_length=160)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'correction_requests', 'app': 'portal', 'indexes': [Index(fields=['organisation_id', 'state']), Index(fields=['person_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GatewayEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('gateway', fields.CharField(max_length=32)),
                ('event_id', fields.CharField(null=True, max_length=80)),
                ('payment_ref', fields.CharField(default='', max_length=80)),
                ('outcome', fields.CharField(max_length=24)),
                ('detail', fields.CharField(default='', max_length=300)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'gateway_events', 'app': 'portal', 'unique_together': (('gateway', 'event_id'),), 'pk_attr': 'id', 'table_description': 'Every callback the gateway sent, accepted or not: duplicates are recognised, rejections are kept.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('record', fields.ForeignKeyField('portal.RegistryRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('record_version', fields.IntField()),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('currency', fields.CharField(default='AZN', max_length=3)),
                ('summary', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('gateway', fields.CharField(max_length=32)),
                ('gateway_ref', fields.CharField(unique=True, max_length=80)),
                ('state', fields.CharEnumField(default=PaymentState.PENDING, description='PENDING: pending\nSUCCEEDED: succeeded\nFAILED: failed', enum_type=PaymentState, max_length=16)),
                ('failure_reason', fields.CharField(default='', max_length=200)),
                ('settles', fields.UUIDField(null=True, unique=True)),
                ('receipt_no', fields.CharField(null=True, unique=True, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payments', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='HistoryEvent',
            name='kind',
            field=fields.CharEnumField(description='LOGIN: login\nLOGOUT: logout\nSESSION_EXPIRED: session_expired\nDATA_UPDATED: data_updated\nDATA_CONFIRMED: data_confirmed\nCORRECTION_REQUESTED: correction_requested\nCORRECTION_RESOLVED: correction_resolved\nPAYMENT_SUCCEEDED: payment_succeeded\nPAYMENT_FAILED: payment_failed\nSERVICE_USED: service_used', enum_type=HistoryKind, max_length=24),
        ),
        ops.AddField(
            model_name='RegistryRecord',
            name='confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='RegistryRecord',
            name='confirmed_version',
            field=fields.IntField(null=True),
        ),
    ]
