from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# the citizens of a district, found by the region of their registered address (portal/store/residence.py): the same
# expression as the store's query, per dialect, so the index serves it
RESIDENCE_INDEX = {
    'sqlite': "CREATE INDEX IF NOT EXISTS registry_records_residence ON registry_records "
    "(json_extract(data, '$.region'), person_id) WHERE kind = 'address'",
    'postgres': "CREATE INDEX IF NOT EXISTS registry_records_residence ON registry_records "
    "((data ->> 'region'), person_id) WHERE kind = 'address'",
}


async def create_residence_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(RESIDENCE_INDEX[schema_editor.client.capabilities.dialect])


async def drop_residence_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script('DROP INDEX IF EXISTS registry_records_residence')


class Migration(migrations.Migration):
    dependencies = [('portal', '0008_participation')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Participation',
            index=Index(fields=['poll_id', 'hour']),
        ),
        ops.AddField(
            model_name='Poll',
            name='notified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(create_residence_index, reverse_code=drop_residence_index),
    ]
