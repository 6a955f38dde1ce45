"""HTTP helpers shared by the public pages and the admin views.

* :func:`private_response`: keep a response out of every cache.
* :class:`ContentCompressionMiddleware` and :func:`may_compress`: gzip for
  what a shared cache may keep (content pages), never for a response that
  may hold a secret (a CSRF token, a personal link, a person's data); see
  docs/compression.md.
* :func:`parse_id` and :class:`DatabaseIdConverter`: ids from requests and
  URLs that cannot overflow the database.
* :class:`RouteMethodsMixin` and :func:`allow_methods`: each route of a
  routable page answers only the HTTP methods it is meant for. The
  registration form, the self-service page and any future public route on a
  page (an invitation's answer page) share it.

A plain module: Django only, no models.
"""

from django.http import HttpResponse, HttpResponseNotAllowed
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.log import log_response


def private_response(response):
    """Keep ``response`` out of every cache: it is for this visitor only.

    For responses that carry a CSRF token, a one-time token or a person's
    own data, which must never sit in a shared cache.
    """
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def may_compress(response):
    """Whether ``response`` may be compressed without a BREACH-style leak.

    Compression leaks a secret when an attacker can add guesses to a page
    that also holds the secret and watch the compressed size. Only a
    response that says any shared cache may keep it (``Cache-Control:
    public``, as content pages do) is compressed: it is the same for every
    visitor, so it holds nothing to steal. One that is private or not to be
    stored (forms with a CSRF token, the self-service page behind a personal
    link, the admin), sets a cookie (the CSRF cookie comes with every CSRF
    token) or varies by cookie is sent as it is.
    """
    directives = {
        directive.split("=", 1)[0].strip().lower()
        for directive in response.get("Cache-Control", "").split(",")
    }
    return (
        "public" in directives
        and not directives & {"private", "no-store"}
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
    )


class ContentCompressionMiddleware(GZipMiddleware):
    """Django's ``GZipMiddleware`` for the responses :func:`may_compress` allows.

    Put it near the top of ``MIDDLEWARE``, after ``SecurityMiddleware`` (and
    WhiteNoise's middleware, which serves static files compressed itself),
    so that it sees every other middleware's headers and cookies.
    """

    def process_response(self, request, response):
        if not may_compress(response):
            return response
        return super().process_response(request, response)


def parse_id(value, *, digits=18):
    """``value`` as a database id, or None when it is not one.

    Only short ASCII digit strings: ``str.isdigit()`` is also true of "²"
    and "١", which ``int()`` refuses, and a number past the database's
    bigint makes a query fail instead of finding nothing.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) <= digits:
            return int(value)
    return None


class DatabaseIdConverter:
    """A URL segment that is a database id: at most 18 ASCII digits.

    Django's ``<int:…>`` takes any number of digits, and one past bigint
    makes the query fail (a server error) instead of finding nothing; this
    one does not match, so such a URL is a plain 404. Registered as
    ``selvhjelp_id`` when the app is ready.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


# In the order Django's class-based views list them in ``Allow``.
HTTP_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def with_head_and_options(methods):
    """``methods`` with HEAD (when GET is there) and OPTIONS, as Django's views."""
    allowed = {method.upper() for method in methods} | {"OPTIONS"}
    if "GET" in allowed:
        allowed.add("HEAD")
    order = [method for method in HTTP_METHOD_ORDER if method in allowed]
    return order + sorted(allowed - set(order))


def allow_methods(*methods):
    """Declare the HTTP methods a route of a page handles.

    ::

        @path("endre/", name="change")
        @allow_methods("GET", "POST")
        def change_route(self, request, *args, **kwargs): ...

    Put it below ``@path``. HEAD comes with GET and OPTIONS with every route;
    other methods get 405 (see ``RouteMethodsMixin.check_request_method``).
    A route without it answers what the page's ``route_methods`` or
    ``default_route_methods`` say.
    """

    def decorator(view_func):
        view_func.route_http_methods = tuple(method.upper() for method in methods)
        return view_func

    return decorator


class RouteMethodsMixin:
    """Answer each route of a routable page with its own HTTP methods.

    Wagtail checks a request's method against the page's
    ``allowed_http_methods``, one list for every route. This mixin refines
    ``Page.check_request_method`` and ``Page.handle_options_request`` per
    route: a method the route does not take gets 405 with an ``Allow``
    header, and OPTIONS lists the route's own methods.
    """

    #: Every method some route answers (Wagtail's page-level list); each
    #: route answers its own share, see ``get_route_methods``.
    allowed_http_methods = ["GET", "HEAD", "OPTIONS", "POST"]
    #: The HTTP methods a route answers, by the name of its method, for
    #: routes not marked with ``@allow_methods``; others answer
    #: ``default_route_methods``. HEAD comes with GET, OPTIONS with every
    #: route; any other method gets 405.
    route_methods = {}
    default_route_methods = ("GET", "POST")

    # Wagtail's ``before_serve_page`` hook calls ``check_request_method``
    # and, for OPTIONS, ``handle_options_request`` before any route runs,
    # with the page's route result: ``((view, args, kwargs), {})`` for a
    # routable page.

    @staticmethod
    def _route_view(args):
        """The route's view from what the hook passes, or None."""
        route = args[0] if args else None
        if isinstance(route, tuple | list):
            route = route[0] if route else None
        return route if callable(route) else None

    def get_route_methods(self, view=None):
        """The methods route ``view`` answers, HEAD and OPTIONS included.

        From ``@allow_methods`` on the route, else ``route_methods`` by the
        route method's name, else ``default_route_methods``.
        """
        methods = getattr(view, "route_http_methods", None)
        if methods is None and view is not None:
            methods = self.route_methods.get(getattr(view, "__name__", ""))
        return with_head_and_options(methods or self.default_route_methods)

    def check_request_method(self, request, *args, **kwargs):
        allowed = self.get_route_methods(self._route_view(args))
        if request.method in allowed:
            return None
        response = HttpResponseNotAllowed(allowed)
        log_response(
            "Method Not Allowed (%s): %s",
            request.method,
            request.path,
            request=request,
            response=response,
        )
        return response

    def handle_options_request(self, request, *args, **kwargs):
        allowed = self.get_route_methods(self._route_view(args))
        return HttpResponse(
            headers={"Allow": ", ".join(allowed), "Content-Length": "0"}
        )
