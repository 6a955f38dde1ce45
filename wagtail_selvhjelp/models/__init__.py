"""Every model of the package, importable from ``wagtail_selvhjelp.models``."""

from .contact_points import ContactPoint, ContactPointKind
from .pages import (
    ContactDirectoryPage,
    SelfHelpIndexContactPoint,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
)
from .registration_form import RegistrationFormMixin
from .registration_pages import (
    GroupRegistrationPage,
    RegistrationPlace,
    RegistrationTimeSlot,
    RegistrationTopic,
)
from .registrations import (
    ACTIVE_STATUSES,
    ConsentText,
    Gender,
    GroupKind,
    Registration,
    RegistrationPlaceChoice,
    RegistrationStatus,
    RegistrationTimeSlotChoice,
    RegistrationTopicChoice,
)


__all__ = [
    "ACTIVE_STATUSES",
    "ConsentText",
    "ContactDirectoryPage",
    "ContactPoint",
    "ContactPointKind",
    "Gender",
    "GroupKind",
    "GroupRegistrationPage",
    "Registration",
    "RegistrationFormMixin",
    "RegistrationPlace",
    "RegistrationPlaceChoice",
    "RegistrationStatus",
    "RegistrationTimeSlot",
    "RegistrationTimeSlotChoice",
    "RegistrationTopic",
    "RegistrationTopicChoice",
    "SelfHelpIndexContactPoint",
    "SelfHelpIndexPage",
    "SelfHelpInfoPage",
]
