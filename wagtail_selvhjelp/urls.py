"""The package's own public URLs, beside Wagtail's pages.

Include them before Wagtail's catch-all::

    (path("", include("wagtail_selvhjelp.urls")),)
    (path("", include(wagtail_urls)),)

Today that is the health URL, ``/selvhjelp-health/`` (docs/production.md).
"""

from django.urls import path

from .views.health import health


urlpatterns = [
    path("selvhjelp-health/", health, name="selvhjelp_health"),
]
