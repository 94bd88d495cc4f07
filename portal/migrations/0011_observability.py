from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0010_reception_news')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Heartbeat',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('beat_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('worker', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'heartbeats', 'app': 'portal', 'pk_attr': 'name', 'table_description': 'The last sign of life of a background process, by name'},
            bases=['Model'],
        ),
    ]
