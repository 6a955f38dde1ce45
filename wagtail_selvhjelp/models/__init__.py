"""Every model of the package, importable from ``wagtail_selvhjelp.models``."""

from ..choices import (
    ACTIVE_STATUSES,
    Gender,
    GroupKind,
    GroupStatus,
    RegistrationStatus,
)
from .audit_log import SelfHelpLogEntry
from .contact_points import ContactPoint, ContactPointKind
from .descriptions import MetaDescriptionMixin
from .group_life import FollowUp, FollowUpCode, GroupLifeStatistic
from .groups import AvoidPair, GroupMembership, SelfHelpGroup
from .invitations import Offer
from .matching_runs import MatchingRun
from .mentions import KeptMention
from .messages import OutgoingMessage
from .pages import (
    ContactDirectoryPage,
    PublicCacheMixin,
    SelfHelpIndexContactPoint,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
)
from .privacy import PurgeRun, RegistrationStatistic
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
from .retention import Retention
from .self_service import SelfServiceMixin
from .site_settings import SelfHelpSiteSettings
from .starter_kits import StarterKitText
from .starters import GroupStarter, Starter, StarterCourse


__all__ = [
    "ACTIVE_STATUSES",
    "AbstractGroupRegistrationPage",
    "AvoidPair",
    "FollowUp",
    "FollowUpCode",
    "GroupLifeStatistic",
    "GroupMembership",
    "GroupStarter",
    "GroupStatus",
    "KeptMention",
    "MatchingRun",
    "MetaDescriptionMixin",
    "Offer",
    "OutgoingMessage",
    "PublicCacheMixin",
    "PurgeRun",
    "RateLimitCounter",
    "RegistrationStatistic",
    "Retention",
    "SelfHelpGroup",
    "SelfHelpLogEntry",
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
    "StarterKitText",
    "Starter",
    "StarterCourse",
]
