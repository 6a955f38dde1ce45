"""Registration with Wagtail: viewsets, snippets and admin menu items.

The only module that registers anything; nothing imports it.
"""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .models import Registration
from .views.dashboard import CoordinatorPanel, WaitingSummaryItem
from .views.matching import MATCH_PERMISSION
from .viewsets import SelvhjelpViewSetGroup, matching_viewset, registration_viewset


try:  # Wagtail 8.0+: custom policies are registered, not only set on viewsets.
    from wagtail.permissions import register_permission_policy
except ImportError:  # Wagtail 7.x
    pass
else:
    register_permission_policy(Registration, registration_viewset.permission_policy)


@hooks.register("register_admin_viewset")
def register_viewsets():
    # The group registers each of its viewsets; the contact point's snippet
    # viewset registers its model as a snippet (chooser, snippet listing).
    return SelvhjelpViewSetGroup()


@hooks.register("register_log_actions")
def register_log_actions(actions):
    """The audit trail of the coordinator admin.

    Entries hold ids, codes and counts only: their ``data`` never holds a
    name, contact detail or answer, and a registration's label is its number.
    """
    for action, label, message in [
        (
            "wagtail_selvhjelp.status",
            _("Change registration status"),
            _("Registration status changed"),
        ),
        (
            "wagtail_selvhjelp.avoid_link",
            _("Link an avoid pair"),
            _("Linked with a registration they must never share a group with"),
        ),
        (
            "wagtail_selvhjelp.avoid_unlink",
            _("Remove an avoid pair"),
            _("Avoid link removed"),
        ),
        (
            "wagtail_selvhjelp.export",
            _("Export registrations"),
            _("Registrations exported"),
        ),
        (
            "wagtail_selvhjelp.place",
            _("Place a member"),
            _("Member placed in the group"),
        ),
        ("wagtail_selvhjelp.remove", _("Remove a member"), _("Member left the group")),
        (
            "wagtail_selvhjelp.override",
            _("Override a mismatch"),
            _("Member placed despite a mismatch, with a recorded reason"),
        ),
        (
            "wagtail_selvhjelp.group_status",
            _("Change group status"),
            _("Group status changed"),
        ),
        ("wagtail_selvhjelp.match_run", _("Propose groups"), _("Groups proposed")),
        (
            "wagtail_selvhjelp.view",
            _("View a registration"),
            _("Registration viewed"),
        ),
        (
            "wagtail_selvhjelp.access_export",
            _("Export a person's data"),
            _("A person's data exported (right of access)"),
        ),
        (
            "wagtail_selvhjelp.erase",
            _("Erase a person"),
            _("Person erased: the registration and everything linked to it deleted"),
        ),
        (
            "wagtail_selvhjelp.confirm",
            _("Record a re-confirmation"),
            _("Recorded that the person still wants a group"),
        ),
        (
            "wagtail_selvhjelp.self_confirm",
            _("Re-confirm on the self-service page"),
            _(
                "The person confirmed on their self-service page that they still want a group"
            ),
        ),
        (
            "wagtail_selvhjelp.self_withdraw",
            _("Withdraw on the self-service page"),
            _(
                "The person withdrew on their self-service page; the registration is deleted"
            ),
        ),
        (
            "wagtail_selvhjelp.purge",
            _("Apply the retention rules"),
            _("Retention purge ran"),
        ),
        (
            "wagtail_selvhjelp.create_groups",
            _("Create groups from a proposal"),
            _("Groups created from a proposal"),
        ),
    ]:
        actions.register_action(action, label, message)


@hooks.register("construct_homepage_summary_items")
def add_waiting_summary_item(request, items):
    items.append(
        WaitingSummaryItem(request, url_names=matching_viewset.get_url_names())
    )


@hooks.register("construct_homepage_panels")
def add_coordinator_panel(request, panels):
    if request.user.has_perm(MATCH_PERMISSION):
        panels.append(
            CoordinatorPanel(request, url_names=matching_viewset.get_url_names())
        )


@hooks.register("insert_global_admin_css")
def admin_css():
    # The package's admin screens reflow at 320 px (long labels, wide selects).
    return format_html(
        '<link rel="stylesheet" href="{}">',
        static("wagtail_selvhjelp/css/admin.css"),
    )
