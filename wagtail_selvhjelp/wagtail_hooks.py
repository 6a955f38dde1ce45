"""Registration with Wagtail: viewsets, snippets and admin menu items."""

from wagtail.snippets.models import register_snippet

from .models import Registration
from .viewsets import SelvhjelpViewSetGroup, registration_viewset


try:  # Wagtail 8.0+: custom policies are registered, not only set on viewsets.
    from wagtail.permissions import register_permission_policy
except ImportError:  # Wagtail 7.x
    pass
else:
    register_permission_policy(Registration, registration_viewset.permission_policy)


register_snippet(SelvhjelpViewSetGroup)
