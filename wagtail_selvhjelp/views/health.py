"""The health URL: whether this process can serve, for a load balancer or a
monitor.

It checks what every request and every message needs: the database, the
cache (the rate limits' and the content generation's), and that the worker
keeps up with the task queue. It answers JSON with one word per check and
the queue's age in seconds, never a count of registrations or anything
about a person, so it may be public; 200 when everything is healthy, 503
otherwise. Never cached, never rate-limited: each check costs one query or
one cache round trip.
"""

import logging
import secrets

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from ..conf import selvhjelp_settings
from ..http import private_response
from ..task_backend import queue_age
from ..tasks import send_receipt


logger = logging.getLogger(__name__)

HEALTH_KEY = "wagtail_selvhjelp:health"
OK = "ok"
FAILING = "failing"
NOT_APPLICABLE = "not applicable"


def _failed(check, error):
    """Log a failed check by its exception's class (whose text may hold a
    host name or a password in a URL, never a person's data)."""
    logger.warning("Health check %s failed: %s", check, type(error).__name__)
    return FAILING


def check_database():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return _failed("database", error)
    return OK


def check_caches():
    """Write and read back a key in the default cache (fragments' content
    generation) and in the rate limits' cache, if it is another."""
    aliases = dict.fromkeys(["default", selvhjelp_settings.RATE_LIMIT_CACHE])
    for alias in aliases:
        token = secrets.token_hex(8)
        try:
            cache = caches[alias]
            cache.set(HEALTH_KEY, token, timeout=60)
            if cache.get(HEALTH_KEY) != token:
                raise LookupError("read back another value")
        except Exception as error:
            return _failed(f"cache {alias}", error)
    return OK


def check_queue():
    """The package's task backend's queue: ("ok" or "failing", age), or
    ("not applicable", None) when the tasks run in-process."""
    try:
        age = queue_age(send_receipt.get_backend())
    except Exception as error:
        return _failed("queue", error), None
    if age is None:
        return NOT_APPLICABLE, None
    if age > selvhjelp_settings.HEALTH_QUEUE_MAX_SECONDS:
        return FAILING, age
    return OK, age


@require_safe
def health(request):
    database = check_database()
    cache = check_caches()
    queue, age = check_queue()
    healthy = FAILING not in (database, cache, queue)
    response = JsonResponse(
        {
            "status": OK if healthy else FAILING,
            "database": database,
            "cache": cache,
            "queue": queue,
            "queue_age_seconds": age,
        },
        status=200 if healthy else 503,
    )
    return private_response(response)
