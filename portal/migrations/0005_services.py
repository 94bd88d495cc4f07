from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.store.services.models import ApplicationEventKind, ApplicationStatus, ServiceKind
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0004_letters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=24)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('form', fields.CharField(max_length=48)),
                ('service_code', fields.CharField(max_length=80)),
                ('status', fields.CharEnumField(db_index=True, description='SUBMITTED: submitted\nUNDER_REVIEW: under_review\nNEEDS_INFO: needs_info\nAPPROVED: approved\nREJECTED: rejected', enum_type=ApplicationStatus, max_length=16)),
                ('applicant', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('answers', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_on', fields.DateField()),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'applications', 'app': 'portal', 'indexes': [Index(fields=['executive_id', 'status']), Index(fields=['person_id', 'submitted_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('portal.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='SUBMITTED: submitted\nUNDER_REVIEW: under_review\nNEEDS_INFO: needs_info\nINFO_PROVIDED: info_provided\nAPPROVED: approved\nREJECTED: rejected', enum_type=ApplicationEventKind, max_length=16)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_name', fields.CharField(default='', max_length=255)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_events', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationFile',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('portal.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('document', fields.CharField(default='', max_length=48)),
                ('filename', fields.CharField(max_length=160)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_name', fields.CharField(unique=True, max_length=64)),
                ('position', fields.IntField()),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_files', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=19)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('issuer', fields.ForeignKeyField('portal.Organisation', source_field='issuer_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('template', fields.CharField(max_length=48)),
                ('title', fields.CharField(max_length=255)),
                ('lang', fields.CharField(max_length=8)),
                ('content', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('holder_initials', fields.CharField(max_length=16)),
                ('storage_name', fields.CharField(max_length=64)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.IntField()),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DateField(null=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(default='', max_length=500)),
                ('revoked_by', fields.CharField(default='', max_length=255)),
                ('application', fields.ForeignKeyField('portal.Application', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='decisions', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'certificates', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'issued_at'])], 'pk_attr': 'id', 'table_description': 'An issued e-certificate ("arayış") or a signed decision: a PDF signed by the issuer, with a verification code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Service',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=80)),
                ('provider', fields.ForeignKeyField('portal.Organisation', source_field='provider_id', db_constraint=True, to_field='id', related_name='services', on_delete=OnDelete.RESTRICT)),
                ('category', fields.CharField(db_index=True, max_length=32)),
                ('kind', fields.CharEnumField(description='CERTIFICATE: certificate\nAPPLICATION: application\nRECORDS: records\nPAYMENT: payment\nLETTER: letter\nEXTERNAL: external', enum_type=ServiceKind, max_length=16)),
                ('action', fields.CharField(default='', max_length=80)),
                ('title_az', fields.CharField(max_length=255)),
                ('title_en', fields.CharField(max_length=255)),
                ('summary_az', fields.TextField(default='', unique=False)),
                ('summary_en', fields.TextField(default='', unique=False)),
                ('requirements', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('duration_days', fields.IntField(default=0)),
                ('url', fields.CharField(default='', max_length=500)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'services', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SigningIdentity',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('subject', fields.CharField(unique=True, max_length=48)),
                ('certificate_pem', fields.TextField(unique=False)),
                ('key_pem', fields.TextField(unique=False)),
                ('not_after', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signing_identities', 'app': 'portal', 'pk_attr': 'id', 'table_description': "A key pair and certificate of the portal's certificate authority: the root, or an organisation's signing"},
            bases=['Model'],
        ),
    ]
