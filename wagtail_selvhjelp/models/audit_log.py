"""The package's own log entries, scoped to the pages a user coordinates.

Wagtail's ``ModelLogEntry`` shows an entry to anyone with a permission on
its object's type, so its site history would show coordinator B page A's
group names (which name health topics), which registration numbers were
opened or erased, and by whom. The package's objects therefore log into
:class:`SelfHelpLogEntry` (``wagtail_hooks`` registers it for
:data:`LOGGED_MODELS` with Wagtail's log registry), which keeps the page
each entry belongs to and whose :meth:`~SelfHelpLogEntryManager.viewable_by_user`
is what every Wagtail log view asks: the site history, its CSV and XLSX
export and its filters (users, types, actions), and the object histories.

Who sees an entry:

* an entry on something of a registration page (a registration, a group,
  an offer, a matching run, or the page itself for an export or a
  proposal): whoever coordinates that page;
* an entry on a starter (who may serve several pages): whoever reaches the
  starter in the starter register;
* an entry on a purge run (counts over every site's pages): whoever has
  the privacy overview's permission and works for every site (the
  overview shows the others their own sites' counts of the run);
* anything else without a page (rows kept from before this model whose
  object is gone, an entry of a deleted page): superusers only;
* superusers see every entry.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager

from .page_scoped import coordinated_page_ids
from .permissions import sees_all_pages_counts, starter_permission_policy
from .sites import works_for_every_site
from .starters import Starter


#: The models whose log entries are the package's (subclasses included,
#: such as a site's own registration model). By label: ``privacy`` (the
#: purge run's module) reads these entries for a person's data.
LOGGED_MODELS = (
    "wagtail_selvhjelp.Registration",
    "wagtail_selvhjelp.SelfHelpGroup",
    "wagtail_selvhjelp.Offer",
    "wagtail_selvhjelp.MatchingRun",
    "wagtail_selvhjelp.Starter",
    "wagtail_selvhjelp.PurgeRun",
)

#: What reaching a starter in the register takes, as in its admin views.
STARTER_ACCESS = ["view", "change", "delete"]


def page_id_of(instance):
    """The registration page an entry on ``instance`` belongs to, or None."""
    if isinstance(instance, Page):
        return instance.pk
    return getattr(instance, "page_id", None)


class SelfHelpLogEntryManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.update(object_id=str(instance.pk), page_id=page_id_of(instance))
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(
                instance, for_concrete_model=False
            ),
            object_id=str(instance.pk),
        )

    def viewable_by_user(self, user):
        """The entries ``user`` may see (the rules in the module's docstring)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self.all()
        visible = Q(page_id__in=coordinated_page_ids(user))
        starters = starter_permission_policy.instances_user_has_any_permission_for(
            user, STARTER_ACCESS
        )
        visible |= Q(
            page__isnull=True,
            content_type=ContentType.objects.get_for_model(Starter),
            object_id__in=starters.annotate(
                key=Cast("pk", output_field=CharField())
            ).values("key"),
        )
        if sees_all_pages_counts(user) and works_for_every_site(user):
            visible |= Q(
                page__isnull=True,
                content_type=ContentType.objects.get_for_model(
                    apps.get_model("wagtail_selvhjelp.PurgeRun")
                ),
            )
        return self.filter(visible)


class SelfHelpLogEntry(BaseLogEntry):
    """A log entry on one of the package's objects, with the page it belongs to.

    ``page`` outlives the page (no constraint, as Wagtail's ``PageLogEntry``),
    so that an entry of a deleted page stays, seen by superusers only.
    """

    object_id = models.CharField(max_length=255, db_index=True)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("registration page"),
    )

    objects = SelfHelpLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("self-help log entry")
        verbose_name_plural = _("self-help log entries")
        # Stated here, not inherited: Wagtail's base has this index only
        # from wagtailcore 0097 on, and the migration must be the same on 7.0.
        indexes = [
            models.Index(
                fields=["uuid", "action", "-timestamp"],
                name="wagtail_sel_uuid_690c1c_idx",
            )
        ]

    def __str__(self):
        return f"SelfHelpLogEntry {self.pk}: '{self.action}' on '{self.object_verbose_name}' with id {self.object_id}"


def log_on_page(page, action, *, user=None, data=None):
    """Log ``action`` on a registration page as one of the package's entries.

    Wagtail's ``log()`` would write a ``PageLogEntry``, which everyone who
    may explore the page sees in its history; what the package does on a
    page (an export, a proposal, groups created) is the coordinators'.
    """
    context = get_active_log_context()
    return SelfHelpLogEntry.objects.log_action(
        page, action, user=user or context.user, uuid=context.uuid, data=data
    )


def register(actions):
    """Register :class:`SelfHelpLogEntry` for :data:`LOGGED_MODELS`."""
    for label in LOGGED_MODELS:
        actions.register_model(apps.get_model(label), SelfHelpLogEntry)
