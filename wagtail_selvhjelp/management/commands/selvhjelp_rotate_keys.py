"""Re-encrypt every encrypted free text with the first key.

Put a new key first in ``WAGTAIL_SELVHJELP_ENCRYPTION_KEYS`` (keep the old
ones after it), run this, then drop the old keys. Resumable: rows already
encrypted with the first key are skipped, so a run that stopped half-way is
simply run again. Prints counts only.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from ... import encryption
from ...fields import EncryptedTextField


def encrypted_fields():
    """(model, [field names]) for every model with encrypted fields."""
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if names:
            yield model, names


class Command(BaseCommand):
    help = "Re-encrypt every encrypted free text with the newest key (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        for model, names in encrypted_fields():
            # Read the stored tokens as they are, not decrypted.
            raw = {
                f"raw_{name}": Cast(F(name), output_field=TextField()) for name in names
            }
            rotated = skipped = 0
            last_pk = None
            while True:
                rows = model._base_manager.annotate(**raw).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.values("pk", *raw)[:batch_size])
                if not batch:
                    break
                with transaction.atomic():
                    for row in batch:
                        tokens = {name: row[f"raw_{name}"] for name in names}
                        stale = {
                            name: token
                            for name, token in tokens.items()
                            if not encryption.is_current(token)
                        }
                        if not stale:
                            skipped += 1
                            continue
                        model._base_manager.filter(pk=row["pk"]).update(
                            **{
                                name: encryption.rotate(token)
                                for name, token in stale.items()
                            }
                        )
                        rotated += 1
                last_pk = batch[-1]["pk"]
            self.stdout.write(
                f"{model._meta.label}: {rotated} rows re-encrypted, "
                f"{skipped} already current."
            )
