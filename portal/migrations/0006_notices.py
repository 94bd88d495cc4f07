from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.store.notices.models import Channel, DeliveryState
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0005_services')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Guardianship',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('parent', fields.ForeignKeyField('portal.Person', source_field='parent_id', db_constraint=True, to_field='id', related_name='wards', on_delete=OnDelete.CASCADE)),
                ('child', fields.ForeignKeyField('portal.Person', source_field='child_id', db_constraint=True, to_field='id', related_name='guardians', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'guardianships', 'app': 'portal', 'unique_together': (('parent', 'child'),), 'indexes': [Index(fields=['child_id'])], 'pk_attr': 'id', 'table_description': "A parent and a minor child, as the parent's family composition record says (kept with every write of it), so"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(max_length=40)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('link', fields.CharField(default='', max_length=200)),
                ('organisation', fields.ForeignKeyField('portal.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notices', 'app': 'portal', 'indexes': [Index(fields=['person_id', 'created_at']), Index(fields=['person_id', 'read_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('notice', fields.ForeignKeyField('portal.Notice', source_field='notice_id', null=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharEnumField(description='CABINET: cabinet\nSMS: sms\nEMAIL: email', enum_type=Channel, max_length=8)),
                ('key', fields.CharField(unique=True, max_length=172)),
                ('state', fields.CharEnumField(description='QUEUED: queued\nSENDING: sending\nSENT: sent\nDELIVERED: delivered\nFAILED: failed\nDIGEST: digest\nDIGESTED: digested', enum_type=DeliveryState, max_length=12)),
                ('address', fields.CharField(default='', max_length=255)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('leased_by', fields.CharField(default='', max_length=64)),
                ('version', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('provider_id', fields.CharField(default='', db_index=True, max_length=128)),
                ('digest', fields.ForeignKeyField('portal.Delivery', source_field='digest_id', null=True, db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deliveries', 'app': 'portal', 'indexes': [Index(fields=['state', 'next_attempt_at']), Index(fields=['person_id', 'state'])], 'pk_attr': 'id', 'table_description': "One message to send outside the cabinet: a notice by SMS or e-mail, or a day's digest e-mail."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeSettings',
            fields=[
                ('person', fields.OneToOneField('portal.Person', source_field='person_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='notice_settings', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(default='', max_length=255)),
                ('phone', fields.CharField(default='', max_length=20)),
                ('channels', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('quiet_from', fields.IntField(default=22)),
                ('quiet_until', fields.IntField(default=8)),
                ('digest', fields.BooleanField(default=False)),
                ('lang', fields.CharField(default='az', max_length=8)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice_settings', 'app': 'portal', 'pk_attr': 'person_id', 'table_description': "A citizen's contact details and choices: which types go by SMS or e-mail, quiet hours, the daily digest."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Person',
            name='birth_date',
            field=fields.DateField(null=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='RegistryRecord',
            index=Index(fields=['kind', 'valid_until']),
        ),
        # SQLite's schema editor does not index an altered field: the vaccination reminders need it on both databases
        ops.RunSQL('CREATE INDEX IF NOT EXISTS idx_people_birth_d_9840b4 ON people (birth_date)'),
    ]
