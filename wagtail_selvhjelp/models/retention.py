"""How long a registration page keeps personal data: the retention rules' values.

Each rule is set, in order of precedence, on the registration page, as its
site's default (``SelfHelpSiteSettings``), or by the package
(``RETENTION_*`` in ``WAGTAIL_SELVHJELP``); :meth:`Retention.resolve` is the
one place that order is applied. What the rules do is in
``wagtail_selvhjelp.privacy``. This module holds no model, so that the page
and the site settings can both import it.
"""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..conf import selvhjelp_settings


@dataclass(frozen=True)
class Retention:
    """How long a registration page keeps its registrations."""

    #: Days a withdrawn or spam registration is kept after its last change.
    closed_days: int
    #: Months a registration waits before it is asked to re-confirm.
    reconfirm_months: int
    #: Days a re-confirmation request waits for an answer before deletion.
    reconfirm_grace_days: int
    #: Months a member's data is kept after their group ended or they left.
    after_group_months: int

    @classmethod
    def defaults(cls):
        """The package's defaults (``RETENTION_*`` in ``WAGTAIL_SELVHJELP``)."""
        return cls(
            closed_days=selvhjelp_settings.RETENTION_CLOSED_DAYS,
            reconfirm_months=selvhjelp_settings.RETENTION_RECONFIRM_MONTHS,
            reconfirm_grace_days=selvhjelp_settings.RETENTION_RECONFIRM_GRACE_DAYS,
            after_group_months=selvhjelp_settings.RETENTION_AFTER_GROUP_MONTHS,
        )

    @classmethod
    def resolve(cls, *layers):
        """Each rule from the first of ``layers`` that sets it, else the default.

        The one place the order is decided: a registration page passes
        itself and its site's settings (``get_retention()``), so the page's
        own value overrides the site's, which overrides the package's. A
        layer sets a rule with a non-empty ``retention_<rule>`` attribute.
        """
        defaults = cls.defaults()
        values = {}
        for name in RETENTION_LIMITS:
            found = (getattr(layer, f"retention_{name}", None) for layer in layers)
            values[name] = next(
                (value for value in found if value is not None),
                getattr(defaults, name),
            )
        return cls(**values)


#: The least and the most each retention rule may be set to, on a page or
#: as a site's default: long enough to do the work, no longer than a
#: municipality can justify.
RETENTION_LIMITS = {
    "closed_days": (1, 90),
    "reconfirm_months": (1, 24),
    "reconfirm_grace_days": (14, 90),
    "after_group_months": (1, 24),
}


def retention_validators(name):
    """The validators of a field that sets the retention rule ``name``."""
    least, most = RETENTION_LIMITS[name]
    return [MinValueValidator(least), MaxValueValidator(most)]


#: What each retention rule's field is called, on a page and as a site's default.
RETENTION_LABELS = {
    "closed_days": _("days to keep withdrawn and spam registrations"),
    "reconfirm_months": _("months before a waiting person is asked to confirm"),
    "reconfirm_grace_days": _("days to answer before deletion"),
    "after_group_months": _("months to keep members' data after the group"),
}


def retention_field(name, help_text):
    """The field that sets the retention rule ``name``: empty leaves it to
    the next layer (:meth:`Retention.resolve`)."""
    return models.PositiveSmallIntegerField(
        RETENTION_LABELS[name],
        null=True,
        blank=True,
        validators=retention_validators(name),
        help_text=help_text,
    )
