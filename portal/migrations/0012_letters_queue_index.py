from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0011_observability')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Letter',
            index=Index(fields=['organisation_id', 'direction', 'due_on']),
        ),
    ]
