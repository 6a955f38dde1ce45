"""The example site's Content-Security-Policy, on Django 5.2 and on Django 6.

Django 6.0 brings CSP support of its own (``SECURE_CSP`` and
``ContentSecurityPolicyMiddleware``); on Django 5.2, django-csp 4 does the
same job with ``CONTENT_SECURITY_POLICY``. Both take a dict of directives,
so the policies below are written once, with the nonce placeholder of
whichever is in use. The settings import this module, so it imports no
models and reads no settings.
"""

import django


#: True where Django itself sends the CSP header (Django 6.0 and later).
DJANGO_CSP = django.VERSION >= (6, 0)

if DJANGO_CSP:
    from django.utils.csp import CSP

    NONCE = CSP.NONCE
    MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
    APPS = []
    # Puts ``csp_nonce`` into every template's context.
    CONTEXT_PROCESSORS = ["django.template.context_processors.csp"]
else:
    from csp.constants import NONCE

    MIDDLEWARE = "csp.middleware.CSPMiddleware"
    # The app only adds django-csp's system checks for outdated settings.
    APPS = ["csp"]
    CONTEXT_PROCESSORS = []

SELF = "'self'"
NONE = "'none'"
UNSAFE_INLINE = "'unsafe-inline'"


def public_policy(embed_origins=()):
    """The strict policy of the public pages: no inline script or style.

    Scripts need a nonce (``{% selvhjelp_csp_nonce_attr %}``), styles come
    from the site's own stylesheets, frames only from the site and the
    video or podcast services in ``embed_origins``.
    """
    return {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-src": [SELF, *embed_origins],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }


def admin_policy(embed_origins=()):
    """The Wagtail admin's own, looser policy.

    Wagtail's admin still writes inline scripts (date choosers, inline
    panels) and inline styles, so they are allowed here, and without a
    nonce: browsers ignore 'unsafe-inline' once a nonce is present. The
    rest stays closed: no other origins for scripts, styles, forms or
    plugins, and only the site itself may frame the admin (page previews).
    """
    return {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-src": [SELF, *embed_origins],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
