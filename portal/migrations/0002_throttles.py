from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Throttle',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('attempts', fields.IntField(default=0)),
                ('last_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_allowed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'throttles', 'app': 'portal', 'pk_attr': 'key'},
            bases=['Model'],
        ),
        ops.DeleteModel(name='LoginThrottle'),
    ]
