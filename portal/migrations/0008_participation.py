from tortoise import migrations
from tortoise.migrations import operations as ops
from portal.store.participation.models import PollState, ProposalState
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0007_consent')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Proposal',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.CASCADE)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.RESTRICT)),
                ('direction', fields.CharField(max_length=24)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(db_index=True, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nHIDDEN: hidden', enum_type=ProposalState, max_length=12)),
                ('reason', fields.CharField(default='', max_length=1000)),
                ('reports', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'proposals', 'app': 'portal', 'indexes': [Index(fields=['executive_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Poll',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('executive', fields.ForeignKeyField('portal.Organisation', source_field='executive_id', db_constraint=True, to_field='id', related_name='polls', on_delete=OnDelete.RESTRICT)),
                ('question', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('proposal', fields.ForeignKeyField('portal.Proposal', source_field='proposal_id', null=True, db_constraint=True, to_field='id', related_name='polls', on_delete=OnDelete.SET_NULL)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('state', fields.CharEnumField(db_index=True, description='OPEN: open\nCLOSED: closed', enum_type=PollState, max_length=8)),
                ('live_results', fields.BooleanField(default=True)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_reason', fields.CharField(default='', max_length=1000)),
                ('outcome', fields.CharField(default='', max_length=24)),
                ('outcome_note', fields.CharField(default='', max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'polls', 'app': 'portal', 'indexes': [Index(fields=['executive_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Participation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('portal.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='participations', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='participations', on_delete=OnDelete.CASCADE)),
                ('hour', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'participations', 'app': 'portal', 'unique_together': (('poll', 'person'),), 'pk_attr': 'id', 'table_description': 'That a citizen voted in a poll, never what they chose. The hour is kept for the participation chart.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollOption',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('portal.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('label', fields.CharField(max_length=200)),
            ],
            options={'table': 'poll_options', 'app': 'portal', 'unique_together': (('poll', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('portal.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('option', fields.ForeignKeyField('portal.PollOption', source_field='option_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'ballots', 'app': 'portal', 'indexes': [Index(fields=['poll_id', 'option_id'])], 'pk_attr': 'id', 'table_description': 'A counted choice: the poll and the option, written in shuffled batches. No citizen, no time.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProposalReport',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('proposal', fields.ForeignKeyField('portal.Proposal', source_field='proposal_id', db_constraint=True, to_field='id', related_name='report_rows', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('portal.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='proposal_reports', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'proposal_reports', 'app': 'portal', 'unique_together': (('proposal', 'person'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SealedBallot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('portal.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='sealed_ballots', on_delete=OnDelete.CASCADE)),
                ('sealed', fields.BinaryField()),
            ],
            options={'table': 'sealed_ballots', 'app': 'portal', 'pk_attr': 'id', 'table_description': 'A choice waiting for its batch: a random id, the poll, and the option sealed to the tally key. No citizen, no'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TallyKey',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('public_key', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tally_keys', 'app': 'portal', 'pk_attr': 'name', 'table_description': "The public half of the tally key, which ballots are sealed to. The private half is only in the tally job's key"},
            bases=['Model'],
        ),
    ]
