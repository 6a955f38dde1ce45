"""Local development: debug on, e-mails printed to the console."""

from .base import *  # noqa: F403


DEBUG = True
# Only for local development; production.py reads SECRET_KEY from the environment.
SECRET_KEY = "django-insecure-example-site-development-only"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
