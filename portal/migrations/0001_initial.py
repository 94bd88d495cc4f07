from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.store.actors import Role
from portal.store.audit import HistoryKind
from portal.store.auth import ChallengeState, LoginMethod
from portal.store.orgs import OrgCategory
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='LoginThrottle',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('failures', fields.IntField(default=0)),
                ('last_failure_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_throttles', 'app': 'portal', 'pk_attr': 'key'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('category', fields.CharEnumField(description='AGENCY: agency\nEXECUTIVE: executive', enum_type=OrgCategory, max_length=16)),
                ('kind', fields.CharField(max_length=32)),
                ('name_az', fields.CharField(max_length=255)),
                ('name_en', fields.CharField(null=True, max_length=255)),
                ('region', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organisations', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiClient',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='api_clients', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=120)),
                ('lookup', fields.CharField(unique=True, max_length=16)),
                ('key_hash', fields.CharField(max_length=64)),
                ('scopes', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_clients', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('fin', fields.CharField(unique=True, max_length=7)),
                ('role', fields.CharEnumField(default=Role.CITIZEN, description='CITIZEN: citizen\nAGENCY_OFFICER: agency_officer\nEXECUTIVE_OFFICER: executive_officer\nADMIN: admin', enum_type=Role, max_length=24)),
                ('first_name', fields.CharField(max_length=80)),
                ('last_name', fields.CharField(max_length=80)),
                ('patronymic', fields.CharField(default='', max_length=80)),
                ('birth_date', fields.DateField(null=True)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('public_key', fields.BinaryField(null=True)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'people', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DemoDevice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.OneToOneField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='device', on_delete=OnDelete.CASCADE)),
                ('private_key', fields.BinaryField()),
                ('pin_hash', fields.CharField(max_length=255)),
                ('pin_failures', fields.IntField(default=0)),
            ],
            options={'table': 'demo_devices', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HistoryEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LOGIN: login\nLOGOUT: logout\nSESSION_EXPIRED: session_expired\nDATA_UPDATED: data_updated\nSERVICE_USED: service_used', enum_type=HistoryKind, max_length=24)),
                ('method', fields.CharField(null=True, max_length=16)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='history_events', on_delete=OnDelete.RESTRICT)),
                ('detail', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'history_events', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegistryRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('ref', fields.CharField(default='', max_length=64)),
                ('source', fields.ForeignKeyField('portal.Organisation', source_field='source_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.RESTRICT)),
                ('data', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('valid_until', fields.DateField(null=True, db_index=True)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registry_records', 'app': 'portal', 'unique_together': (('person', 'kind', 'ref'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('method', fields.CharEnumField(description='PASSWORD: password\nASAN: asan\nSIMA: sima', enum_type=LoginMethod, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sessions', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignatureChallenge',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='challenges', on_delete=OnDelete.CASCADE)),
                ('method', fields.CharEnumField(description='PASSWORD: password\nASAN: asan\nSIMA: sima', enum_type=LoginMethod, max_length=16)),
                ('code', fields.CharField(max_length=4)),
                ('nonce', fields.CharField(max_length=64)),
                ('state', fields.CharEnumField(default=ChallengeState.PENDING, description='PENDING: pending\nSIGNED: signed\nREFUSED: refused\nUSED: used', enum_type=ChallengeState, max_length=16)),
                ('signature', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signature_challenges', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
