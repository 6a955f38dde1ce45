from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls


urlpatterns = [
    # Browsers ask for /favicon.ico on every site, whatever the page links.
    # Its address is looked up when asked for: with hashed names (production)
    # the manifest exists only after collectstatic, not when URLs load.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static_url, str)("favicon.ico")),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The package's own URLs (the health URL) before Wagtail's catch-all, outside
# the language prefixes.
urlpatterns += [path("", include("wagtail_selvhjelp.urls"))]

# Wagtail's pages: with translated trees (WAGTAIL_I18N_ENABLED), the
# nynorsk tree under /nn/ and the default language's without a prefix; the
# package's pages are shown in their site's written standard either way.
page_urlpatterns = [path("", include(wagtail_urls))]
if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
    urlpatterns += i18n_patterns(*page_urlpatterns, prefix_default_language=False)
else:
    urlpatterns += page_urlpatterns
