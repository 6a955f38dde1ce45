"""Per-page scoping for every admin view of page-scoped models.

A coordinator sees and acts on the objects of the registration pages they
coordinate, and nothing else: the views ask the viewset's page-scoped
permission policy (``models/permissions.py``) for the objects the user may
reach. An object of another page answers 404, not 403: a 403 would confirm
that it exists.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView


#: What a user needs at least one of to reach an object at all.
ANY_ACCESS = ["view", "change", "delete"]


class ScopedQuerysetMixin:
    #: The permission actions that make an object reachable in this view.
    scope_actions = ANY_ACCESS

    def get_scoped_queryset(self):
        """The objects this user may reach in this view.

        Someone without any of the permissions gets a 403 first, before an
        object is looked up; the generic views look objects up in
        ``setup()``, before their own permission check.
        """
        user = self.request.user
        if not self.permission_policy.user_has_any_permission(user, self.scope_actions):
            raise PermissionDenied
        return self.permission_policy.instances_user_has_any_permission_for(
            user, self.scope_actions
        )


class ScopedIndexView(ScopedQuerysetMixin, generic.IndexView):
    def get_base_queryset(self):
        # The listing's own permission check has run: cut it to the pages.
        return super().get_base_queryset().for_user(self.request.user)


class ScopedEditView(ScopedQuerysetMixin, generic.EditView):
    def get_queryset(self):
        return self.get_scoped_queryset()


class StatusActionEditView(ScopedEditView):
    """An edit view whose ``status`` field is changed by an action.

    The form saves every other field; the status it was sent with is put
    back as it was and handed to :meth:`change_status`, which runs the
    model's action (with its checks and log entry), so editing a status is
    the same change as anywhere else.
    """

    def save_instance(self):
        status = self.form.instance.status
        before = self.form.initial["status"]
        self.form.instance.status = before
        instance = super().save_instance()
        if status != before:
            self.change_status(instance, before, status)
        return instance

    def change_status(self, instance, before, status):
        raise NotImplementedError


class ScopedDeleteView(ScopedQuerysetMixin, generic.DeleteView):
    def get_queryset(self):
        return self.get_scoped_queryset()


class ScopedInspectView(ScopedQuerysetMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.get_scoped_queryset(), pk=self.pk)


class ScopedHistoryView(ScopedQuerysetMixin, HistoryView):
    def get_base_object_queryset(self):
        return self.get_scoped_queryset()


class ScopedUsageView(ScopedQuerysetMixin, UsageView):
    def get_base_object_queryset(self):
        return self.get_scoped_queryset()
