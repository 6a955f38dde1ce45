"""Registration with Wagtail: viewsets, snippets and admin menu items.

The only module that registers anything; nothing imports it.
"""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from . import audit
from .models import (
    ContactPoint,
    MatchingRun,
    Offer,
    Registration,
    SelfHelpGroup,
    Starter,
    StarterKitText,
    audit_log,
)
from .models.languages import canonical_path
from .models.permissions import (
    contact_point_permission_policy,
    group_permission_policy,
    matching_run_permission_policy,
    offer_permission_policy,
    registration_permission_policy,
    starter_kit_text_permission_policy,
    starter_permission_policy,
)
from .views.dashboard import CoordinatorPanel, WaitingSummaryItem
from .views.matching import may_match
from .viewsets import SelvhjelpViewSetGroup, matching_viewset


try:  # Wagtail 8.0+: custom policies are registered, not only set on viewsets.
    from wagtail.permissions import register_permission_policy
except ImportError:  # Wagtail 7.x
    pass
else:
    register_permission_policy(Registration, registration_permission_policy)
    register_permission_policy(SelfHelpGroup, group_permission_policy)
    register_permission_policy(MatchingRun, matching_run_permission_policy)
    register_permission_policy(Starter, starter_permission_policy)
    register_permission_policy(Offer, offer_permission_policy)
    register_permission_policy(ContactPoint, contact_point_permission_policy)
    register_permission_policy(StarterKitText, starter_kit_text_permission_policy)


@hooks.register("register_admin_viewset")
def register_viewsets():
    # The group registers each of its viewsets; the contact point's snippet
    # viewset registers its model as a snippet (chooser, snippet listing).
    return SelvhjelpViewSetGroup()


@hooks.register("register_log_actions")
def register_log_actions(actions):
    audit.register(actions)
    # The package's objects log into its own model, scoped to their pages.
    audit_log.register(actions)


@hooks.register("construct_homepage_summary_items")
def add_waiting_summary_item(request, items):
    items.append(
        WaitingSummaryItem(request, url_names=matching_viewset.get_url_names())
    )


@hooks.register("construct_homepage_panels")
def add_coordinator_panel(request, panels):
    if may_match(request.user):
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


@hooks.register("before_serve_page")
def redirect_to_canonical_address(page, request, serve_args, serve_kwargs):
    """A page reached at the other language's address (a nynorsk-only
    site's ``/side/`` beside ``/nn/side/``) is sent, for good, to the one
    Wagtail gives it (docs/languages.md); a form sent there is not."""
    if request.method not in ("GET", "HEAD"):
        return None
    canonical = canonical_path(page, request)
    if canonical is not None:
        return HttpResponsePermanentRedirect(canonical)
    return None
