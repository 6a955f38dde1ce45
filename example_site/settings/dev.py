"""Local development: debug on, e-mails and SMS printed to the console.

``SELVHJELP_REQUIRE_2FA=1`` asks admin users for a second factor as
production does; it is off by default so the demo walk needs no phone.
"""

import os

from .base import *  # noqa: F403


DEBUG = True
# Only for local development; production.py reads SECRET_KEY from the environment.
SECRET_KEY = "django-insecure-example-site-development-only"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
# ``make demo HOST=192.168.1.20`` serves on that address: accept it too.
# HOST_NN names the demo's nynorsk municipality on the same server.
for _variable in ("HOST", "HOST_NN"):
    if os.environ.get(_variable, "").strip() not in {"", "0.0.0.0", "::"}:  # noqa: S104
        ALLOWED_HOSTS.append(os.environ[_variable].strip())
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

ADMIN_REQUIRE_SECOND_FACTOR = os.environ.get("SELVHJELP_REQUIRE_2FA", "") in {
    "1",
    "true",
    "yes",
}
WAGTAIL_SELVHJELP = {
    **WAGTAIL_SELVHJELP,  # noqa: F405
    "SECOND_FACTOR_ENFORCED": ADMIN_REQUIRE_SECOND_FACTOR,
    # SMS to people who gave only a phone number are printed, as e-mails are.
    "SMS_BACKEND": {"CLASS": "wagtail_selvhjelp.sms.console.ConsoleSmsBackend"},
    "SMS_SENDER": "Fjellbygd",
}

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
