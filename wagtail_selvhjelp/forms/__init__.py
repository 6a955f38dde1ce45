"""The package's public forms: an accessible base and the forms built on it.

``base`` holds what every public form shares (fieldsets, described inputs,
the error summary, named required messages, the control-character rule),
``fields`` the fields and widgets they share, ``registration`` the
registration form. Everything is importable from here, as
``form_class_path = "wagtail_selvhjelp.forms.RegistrationForm"`` and sites'
subclasses expect.
"""

from .base import (
    Fieldset,
    PublicBoundField,
    PublicForm,
    is_choice_group,
    reject_control_characters,
)
from .fields import (
    CachedChoiceIterator,
    ChoiceModelMultipleField,
    FixedValueCheckboxInput,
    OptionsReadTogether,
)
from .registration import ChangeChoicesForm, RegistrationForm


__all__ = [
    "ChangeChoicesForm",
    "CachedChoiceIterator",
    "ChoiceModelMultipleField",
    "Fieldset",
    "FixedValueCheckboxInput",
    "OptionsReadTogether",
    "PublicBoundField",
    "PublicForm",
    "RegistrationForm",
    "is_choice_group",
    "reject_control_characters",
]
