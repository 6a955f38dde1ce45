"""``runserver`` for ``make demo``: the sign-in details come last.

Django prints its own lines when the server starts; this prints the framed
block of ``demo_admin`` after them, once the server is listening, so the
address and password are the last thing on the screen.
"""

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import (
    Command as RunserverCommand,
)

from .demo_admin import login_banner, read_password


class Command(RunserverCommand):
    help = "Run the development server and print how to sign in to the demo."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        host = f"[{self.addr}]" if self._raw_ipv6 else self.addr
        if host in {"0", "0.0.0.0", "[::]"}:  # noqa: S104 - an address, not a bind
            host = "localhost"
        base_url = f"{self.protocol}://{host}:{server_port}"
        if settings.WAGTAILADMIN_BASE_URL.rstrip("/") != base_url:
            self.stdout.write(
                f"E-mails link to {settings.WAGTAILADMIN_BASE_URL} and "
                f"{settings.DEMO_NYNORSK_BASE_URL}: set HOST, HOST_NN and PORT "
                "(or WAGTAILADMIN_BASE_URL) to where this server listens."
            )
        password = read_password()
        if password is None:
            self.stdout.write("Run `manage.py demo_admin` to create the demo users.")
        else:
            self.stdout.write("\n" + login_banner(base_url, password))
        self.stdout.flush()
