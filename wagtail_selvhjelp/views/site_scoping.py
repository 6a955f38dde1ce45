"""Per-site scoping for the admin views of snippets that belong to a site.

Wagtail does not scope snippets by site; the contact points and the kit's
texts belong to a municipality (``models/sites.py``). The snippet viewsets
list and offer in their choosers only what the user's sites may use (the
model's ``for_user()``), and every view of one object (edit, delete,
inspect, history, usage, copy, revisions, preview, unpublish) answers 404
for an object outside them, as the page-scoped views do: a 403 would
confirm that it exists. What a user sees but may not change (a national
contact point, a neighbour's shared one) is refused by the site-scoped
permission policy as Wagtail refuses any missing permission.
"""

from functools import wraps

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)


def visible_to(request, model):
    """The rows of ``model`` the requesting user's sites may use."""
    return model._default_manager.for_user(request.user)


#: The permissions of the views that change an object: those need the
#: object's own site, not only one that may show it.
CHANGING = frozenset({"change", "delete", "publish"})


def within_sites(view, model, *, changes=False):
    """Wrap a view function so that an object (its ``pk`` URL argument)
    outside the user's sites is a 404 before the view runs, and one they
    see but may not change (``changes``) is refused as Wagtail refuses a
    missing permission."""

    @wraps(view)
    def scoped(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            pk = unquote(str(pk))
            if not visible_to(request, model).filter(pk=pk).exists():
                raise Http404
            changeable = model._default_manager.changeable_by(request.user)
            if changes and not changeable.filter(pk=pk).exists():
                raise PermissionDenied
        return view(request, *args, **kwargs)

    return scoped


class SiteScopedChooseMixin:
    def get_object_list(self):
        return visible_to(self.request, self.model_class)


class SiteScopedChooseView(SiteScopedChooseMixin, ChooseView):
    pass


class SiteScopedChooseResultsView(SiteScopedChooseMixin, ChooseResultsView):
    pass


class SiteScopedChosenView(SnippetChosenView):
    def get_object(self, pk):
        return visible_to(self.request, self.model_class).get(pk=pk)


class SiteScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return visible_to(self.request, self.model_class).filter(pk__in=pks)


class SiteScopedChooserViewSet(SnippetChooserViewSet):
    """The snippet chooser, offering only what the user's sites may use."""

    choose_view_class = SiteScopedChooseView
    choose_results_view_class = SiteScopedChooseResultsView
    chosen_view_class = SiteScopedChosenView
    chosen_multiple_view_class = SiteScopedChosenMultipleView
