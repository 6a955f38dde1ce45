"""Every model of the package, importable from ``wagtail_selvhjelp.models``."""

from ..choices import (
    ACTIVE_STATUSES,
    Gender,
    GroupKind,
    GroupStatus,
    RegistrationStatus,
)
from .contact_points import ContactPoint, ContactPointKind
from .group_life import FollowUp, FollowUpCode, GroupLifeStatistic
from .groups import AvoidPair, GroupMembership, SelfHelpGroup
from .matching_runs import MatchingRun
from .messages import OutgoingMessage
from .pages import (
    ContactDirectoryPage,
    SelfHelpIndexContactPoint,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
)
from .privacy import PurgeRun, RegistrationStatistic, Retention
from .rate_limits import RateLimitCounter
from .registration_form import RegistrationFormMixin
from .registration_pages import (
    AbstractGroupRegistrationPage,
    GroupRegistrationPage,
    RegistrationPlace,
    RegistrationTimeSlot,
    RegistrationTopic,
)
from .registrations import (
    ConsentText,
    Registration,
    RegistrationPlaceChoice,
    RegistrationTimeSlotChoice,
    RegistrationTopicChoice,
)
from .self_service import SelfServiceMixin
from .site_settings import SelfHelpSiteSettings


__all__ = [
    "ACTIVE_STATUSES",
    "AbstractGroupRegistrationPage",
    "AvoidPair",
    "FollowUp",
    "FollowUpCode",
    "GroupLifeStatistic",
    "GroupMembership",
    "GroupStatus",
    "MatchingRun",
    "OutgoingMessage",
    "PurgeRun",
    "RateLimitCounter",
    "RegistrationStatistic",
    "Retention",
    "SelfHelpGroup",
    "ConsentText",
    "ContactDirectoryPage",
    "ContactPoint",
    "ContactPointKind",
    "Gender",
    "GroupKind",
    "GroupRegistrationPage",
    "Registration",
    "RegistrationFormMixin",
    "SelfServiceMixin",
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
    "SelfHelpSiteSettings",
]
