from tortoise import migrations
from tortoise.migrations import operations as ops
from portal.store.audit import HistoryKind
from portal.store.auth import ChallengePurpose
from portal.store.letters.models import ActorKind, Direction, EventKind, LetterStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0003_cabinet')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('client_id', fields.UUIDField()),
                ('key', fields.CharField(max_length=120)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('resource_id', fields.UUIDField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_keys', 'app': 'portal', 'unique_together': (('client_id', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Letter',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('direction', fields.CharEnumField(description='INBOUND: inbound\nOUTBOUND: outbound', enum_type=Direction, max_length=16)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='letters', on_delete=OnDelete.RESTRICT)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='letters', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(default='', max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(description='DRAFT: draft\nSENT: sent\nRECEIVED: received\nUNDER_REVIEW: under_review\nANSWERED: answered\nFORWARDED: forwarded\nREJECTED: rejected', enum_type=LetterStatus, max_length=16)),
                ('origin', fields.ForeignKeyField('portal.Letter', source_field='origin_id', null=True, db_constraint=True, to_field='id', related_name='copies', on_delete=OnDelete.RESTRICT)),
                ('reply_to', fields.ForeignKeyField('portal.Letter', source_field='reply_to_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.RESTRICT)),
                ('signed_method', fields.CharField(null=True, max_length=16)),
                ('signed_digest', fields.CharField(null=True, max_length=64)),
                ('signed_message', fields.BinaryField(null=True)),
                ('signature', fields.BinaryField(null=True)),
                ('signer_key', fields.BinaryField(null=True)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('delivered_on', fields.DateField(null=True)),
                ('closed_on', fields.DateField(null=True)),
                ('forward_due_on', fields.DateField(null=True)),
                ('due_on', fields.DateField(null=True)),
                ('investigation_reason', fields.CharField(default='', max_length=2000)),
                ('answer', fields.ForeignKeyField('portal.Letter', source_field='answer_id', null=True, db_constraint=True, to_field='id', related_name='answered', on_delete=OnDelete.RESTRICT)),
                ('forwarded_to', fields.ForeignKeyField('portal.Letter', source_field='forwarded_to_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='forwarded_from', on_delete=OnDelete.RESTRICT)),
                ('closing_note', fields.CharField(default='', max_length=2000)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'letters', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'direction', 'status']), Index(fields=['organisation_id', 'direction', 'status']), Index(fields=['organisation_id', 'due_on'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('letter', fields.ForeignKeyField('portal.Letter', source_field='letter_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('position', fields.IntField()),
                ('filename', fields.CharField(max_length=160)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_name', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'letter_attachments', 'app': 'portal', 'unique_together': (('letter', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LetterEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('letter', fields.ForeignKeyField('portal.Letter', source_field='letter_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='SENT: sent\nRECEIVED: received\nUNDER_REVIEW: under_review\nINVESTIGATION: investigation\nANSWERED: answered\nFORWARDED: forwarded\nREJECTED: rejected\nREAD: read', enum_type=EventKind, max_length=16)),
                ('actor_kind', fields.CharEnumField(description='CITIZEN: citizen\nOFFICER: officer\nINTEGRATION: integration\nSYSTEM: system', enum_type=ActorKind, max_length=16)),
                ('actor_name', fields.CharField(default='', max_length=160)),
                ('note', fields.CharField(default='', max_length=2000)),
                ('other_organisation', fields.ForeignKeyField('portal.Organisation', source_field='other_organisation_id', null=True, db_constraint=True, to_field='id', related_name='letter_events', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'letter_events', 'app': 'portal', 'indexes': [Index(fields=['letter_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='HistoryEvent',
            name='kind',
            field=fields.CharEnumField(description='LOGIN: login\nLOGOUT: logout\nSESSION_EXPIRED: session_expired\nDATA_UPDATED: data_updated\nDATA_CONFIRMED: data_confirmed\nCORRECTION_REQUESTED: correction_requested\nCORRECTION_RESOLVED: correction_resolved\nPAYMENT_SUCCEEDED: payment_succeeded\nPAYMENT_FAILED: payment_failed\nSERVICE_USED: service_used\nLETTER_SENT: letter_sent\nLETTER_RECEIVED: letter_received', enum_type=HistoryKind, max_length=24),
        ),
        ops.AddField(
            model_name='SignatureChallenge',
            name='digest',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='SignatureChallenge',
            name='purpose',
            field=fields.CharEnumField(default=ChallengePurpose.LOGIN, description='LOGIN: login\nDOCUMENT: document', enum_type=ChallengePurpose, max_length=16),
        ),
    ]
