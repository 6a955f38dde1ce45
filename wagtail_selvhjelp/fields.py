"""Model fields of the package."""

from django.db import models
from django.db.models.lookups import Exact, IsNull

from . import encryption


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with the package's Fernet keys.

    Read and written as plain text in Python; the database holds only
    ``fernet:…`` tokens (or "" for an empty answer). Every encryption uses a
    fresh IV, so the field cannot be searched or filtered: only ``isnull``
    and ``exact`` with "" (is it empty?) are allowed. Filtering and matching
    use the structured choices instead.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        return encryption.decrypt(value)

    def get_prep_value(self, value):
        if isinstance(value, encryption.Ciphertext):
            return str(value)  # already encrypted (key rotation)
        value = super().get_prep_value(value)
        return encryption.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("exact", "isnull"):
            return None
        return super().get_lookup(lookup_name)


class EmptyOnlyExact(Exact):
    """``field=""``: whether an encrypted answer is empty; other values refuse."""

    lookup_name = "exact"
    prepare_rhs = False

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise ValueError(
                "An encrypted field can only be compared with an empty string."
            )
        return self.rhs


EncryptedTextField.register_lookup(EmptyOnlyExact)
EncryptedTextField.register_lookup(IsNull)
