"""Registration with Wagtail: viewsets, snippets and admin menu items.

The only module that registers anything; nothing imports it.
"""

from wagtail import hooks

from .models import Registration
from .viewsets import SelvhjelpViewSetGroup, registration_viewset


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
