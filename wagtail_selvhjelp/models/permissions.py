"""Who may do what on which registration page: the permission policies.

One policy per page-scoped model, as ``wagtail.permission_policies.collections``
scopes images and documents by collection: the model-level permission comes
from Django's auth (``<action>_<model>`` codenames, the package's custom ones
included: ``match``, ``export``, ``export_answers``, ``access``, ``erase``),
and an instance is reachable only when the user coordinates its page
(:func:`~.page_scoped.coordinated_page_ids`). Admin views, menu items, the
dashboard, reports, exports and the actions ask these policies; nothing
checks a permission string by hand.

They live in the models layer so that the actions (``models/actions.py``),
which public routes on page models call, can check them too.
"""

from django.contrib.auth import get_permission_codename
from wagtail.permission_policies import ModelPermissionPolicy

from .contact_points import ContactPoint
from .groups import SelfHelpGroup
from .invitations import Offer
from .matching_runs import MatchingRun
from .page_scoped import coordinated_page_ids
from .registrations import Registration
from .starter_kits import StarterKitText
from .starters import Starter


class PageScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, with instances scoped to the pages a user coordinates."""

    #: Actions whose codename does not follow ``<action>_<model name>``.
    codenames = {}

    def _get_permission_codename(self, action):
        return self.codenames.get(action) or get_permission_codename(
            action, self.auth_model._meta
        )

    # Wagtail 7.0 has no _get_permission_codename hook (its name and codename
    # helpers call get_permission_codename themselves), so route them here.
    def _get_permission_codenames(self, actions):
        return {self._get_permission_codename(action) for action in actions}

    def _get_permission_name(self, action):
        return f"{self.app_label}.{self._get_permission_codename(action)}"

    def user_coordinates(self, user, page_id):
        """Whether ``user`` coordinates the page with id ``page_id``."""
        if user.is_active and user.is_superuser:
            return True
        return coordinated_page_ids(user).filter(pk=page_id).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.user_coordinates(
            user, instance.page_id
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.user_coordinates(
            user, instance.page_id
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.for_user(user)


class RegistrationPermissionPolicy(PageScopedPermissionPolicy):
    """Registrations come only from citizens through the public form.

    Nobody, superusers included, adds one in the admin: a registration needs
    the person's own consent, which only the form records.
    """

    codenames = {
        "export_answers": "export_registration_answers",
        "overview": "view_privacy_overview",
    }

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


#: Registrations: view, change, delete, and the custom actions ``match``
#: (put groups together), ``export``, ``export_answers``, ``access`` (a
#: person's data, GDPR art. 15), ``erase`` (art. 17) and ``overview`` (the
#: anonymous counts of every page of the sites the user works for).
registration_permission_policy = RegistrationPermissionPolicy(Registration)

#: Self-help groups: add, view, change, delete.
group_permission_policy = PageScopedPermissionPolicy(SelfHelpGroup)


class StarterPermissionPolicy(PageScopedPermissionPolicy):
    """Starters serve one or more pages: a coordinator reaches a starter who
    serves any page they coordinate (``Starter.objects.for_user``)."""

    def user_coordinates_instance(self, user, instance):
        if user.is_active and user.is_superuser:
            return True
        return Starter.objects.for_user(user).filter(pk=instance.pk).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(
            user, action
        ) and self.user_coordinates_instance(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(
            user, actions
        ) and self.user_coordinates_instance(user, instance)


#: Starters: add, view, change, delete (which erases them by reference) and
#: ``access`` (a starter's data export).
starter_permission_policy = StarterPermissionPolicy(Starter)
#: Offers of a place: whoever may change a page's groups may invite, take
#: an offer back and refill a seat (the groups' permissions, the offer's page).
offer_permission_policy = PageScopedPermissionPolicy(Offer, auth_model=SelfHelpGroup)


class MatchingRunPermissionPolicy(PageScopedPermissionPolicy):
    """Runs belong to the matching workflow: every action on one needs the
    registrations' ``match`` permission (and the run's page)."""

    def _get_permission_codename(self, action):
        return "match_registration"


matching_run_permission_policy = MatchingRunPermissionPolicy(
    MatchingRun, auth_model=Registration
)


class SiteScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, with instances scoped to the sites a user works for
    (``models/sites.py``), beside the page-scoped policy above.

    A user sees (``view``, and choosing in a chooser) their sites' rows, the
    rows shared with their sites and the national ones: the model's
    ``for_user()``. They change, publish or delete only their own sites'
    rows, and national ones only when they work for every site: the model's
    ``changeable_by()``. Superusers reach all.
    """

    #: Actions that only read.
    read_actions = frozenset({"view"})

    def _scoped(self, user, actions):
        manager = self.model._default_manager
        if set(actions) <= self.read_actions:
            return manager.for_user(user)
        return manager.changeable_by(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(
            self.user_has_permission(user, action)
            and self._scoped(user, [action]).filter(pk=instance.pk).exists()
            for action in actions
        )

    def instances_user_has_any_permission_for(self, user, actions):
        actions = [a for a in actions if self.user_has_permission(user, a)]
        if not actions:
            return self.model._default_manager.none()
        if any(a in self.read_actions for a in actions):
            return self._scoped(user, ["view"])
        return self._scoped(user, actions)


#: Contact points: add, change, delete, publish, view, each on the sites
#: the user works for (shared and national ones are seen, not changed).
contact_point_permission_policy = SiteScopedPermissionPolicy(ContactPoint)
#: The kit's texts: a site's own, or every site's.
starter_kit_text_permission_policy = SiteScopedPermissionPolicy(StarterKitText)


def sees_all_pages_counts(user):
    """Whether ``user`` sees the anonymous counts of every page of the sites
    they work for, not only of the pages they coordinate (the privacy
    overview's ``overview`` permission, or a superuser, who sees every
    site's). ``permissions.scope_counts_to_user`` applies it."""
    return registration_permission_policy.user_has_permission(user, "overview")


def can_see_statistics(user):
    """Statistics: whoever may view registrations (their pages' counts) or
    sees every page's counts."""
    return registration_permission_policy.user_has_any_permission(
        user, ["view", "overview"]
    )
