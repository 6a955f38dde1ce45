"""Per-page scoping for every admin view of registrations and groups.

A coordinator sees and acts on the objects of the registration pages they
coordinate, and nothing else. An object of another page answers 404, not 403:
a 403 would confirm that it exists.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView

from ..permissions import scope_to_user


class ScopedQuerysetMixin:
    def get_scoped_queryset(self):
        """The objects this user may see at all.

        Someone without any permission on the model gets a 403 first, before
        an object is looked up; the generic views look objects up in
        ``setup()``, before their own permission check.
        """
        user = self.request.user
        if not self.permission_policy.user_has_any_permission(
            user, ["view", "change", "delete"]
        ):
            raise PermissionDenied
        return scope_to_user(self.model._default_manager.all(), user)


class ScopedIndexView(ScopedQuerysetMixin, generic.IndexView):
    def get_base_queryset(self):
        return scope_to_user(super().get_base_queryset(), self.request.user)


class ScopedEditView(ScopedQuerysetMixin, generic.EditView):
    def get_queryset(self):
        return self.get_scoped_queryset()


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
