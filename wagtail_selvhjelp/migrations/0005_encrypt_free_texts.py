"""Encrypt the free texts at rest.

First the columns become plain text columns (a ciphertext is longer than the
200 characters ``avoid_text`` had), then every existing value is encrypted
with the first key of ``WAGTAIL_SELVHJELP_ENCRYPTION_KEYS``, then the fields
become ``EncryptedTextField`` (no change to the columns). Reversible.
"""

from django.db import migrations, models

import wagtail_selvhjelp.fields
from wagtail_selvhjelp import encryption


FIELDS = {
    "registration": ["avoid_text", "access_needs", "message", "coordinator_notes"],
    "groupmembership": ["override_reason"],
}


def _convert(apps, convert):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("wagtail_selvhjelp", model_name)
        for row in model.objects.only("pk", *fields).iterator():
            values = {name: convert(getattr(row, name)) for name in fields}
            model.objects.filter(pk=row.pk).update(**values)


def encrypt_existing(apps, schema_editor):
    _convert(apps, encryption.encrypt)


def decrypt_existing(apps, schema_editor):
    _convert(apps, encryption.decrypt)


def _field(encrypted, verbose_name, max_length=None):
    field_class = (
        wagtail_selvhjelp.fields.EncryptedTextField if encrypted else models.TextField
    )
    kwargs = {"blank": True, "verbose_name": verbose_name}
    if max_length:
        kwargs["max_length"] = max_length
    return field_class(**kwargs)


def _alter(encrypted):
    return [
        migrations.AlterField(
            model_name="registration",
            name="avoid_text",
            field=_field(encrypted, "should not be grouped with", 200),
        ),
        migrations.AlterField(
            model_name="registration",
            name="access_needs",
            field=_field(encrypted, "needs for the meeting place", 500),
        ),
        migrations.AlterField(
            model_name="registration",
            name="message",
            field=_field(encrypted, "anything else", 1000),
        ),
        migrations.AlterField(
            model_name="registration",
            name="coordinator_notes",
            field=_field(encrypted, "coordinator notes"),
        ),
        migrations.AlterField(
            model_name="groupmembership",
            name="override_reason",
            field=_field(encrypted, "reason for placing despite a mismatch"),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("wagtail_selvhjelp", "0004_groups")]

    operations = [
        *_alter(encrypted=False),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        *_alter(encrypted=True),
    ]
