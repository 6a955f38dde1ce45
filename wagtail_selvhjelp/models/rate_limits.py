"""An atomic rate limit in the database, for sites on Django's database cache.

Django's ``DatabaseCache.incr`` reads and then writes, so under concurrent
requests counts are lost and a burst gets past the limit. Here a counter is
one row, counted and read back in one atomic step (an upsert returning the
new count on PostgreSQL and SQLite; elsewhere ``UPDATE … SET count = count
+ 1`` read back inside the transaction, while the row lock is held): every
request sees its own number, and no more than the limit are let through.
"""

from datetime import timedelta

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F
from django.utils import timezone

from .. import guards
from ..conf import selvhjelp_settings


#: Databases whose single-statement upsert ``take()`` uses.
UPSERT_VENDORS = ("postgresql", "sqlite")


class RateLimitCounter(models.Model):
    """Submissions from one client (a hash, never an address) in one window."""

    key = models.CharField(max_length=80, unique=True)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "rate-limit counter"

    def __str__(self):
        return self.key


class DatabaseRateLimit(guards.RateLimit):
    """:class:`guards.RateLimit` counted in :class:`RateLimitCounter` rows."""

    def window_cutoff(self):
        return timezone.now() - timedelta(seconds=self.period)

    def is_exceeded(self, request):
        number = (
            RateLimitCounter.objects.filter(
                key=self.key(request), window_start__gte=self.window_cutoff()
            )
            .values_list("count", flat=True)
            .first()
        )
        return (number or 0) >= self.limit

    def take(self, request):
        key = self.key(request)
        now = timezone.now()
        connection = connections[router.db_for_write(RateLimitCounter)]
        if connection.vendor in UPSERT_VENDORS:
            return self._upsert(connection, key, now) <= self.limit
        counter = RateLimitCounter.objects.filter(key=key)
        with transaction.atomic():
            started = counter.filter(window_start__lt=self.window_cutoff()).update(
                count=1, window_start=now
            )
            if not started and not counter.update(count=F("count") + 1):
                try:
                    with transaction.atomic():
                        RateLimitCounter.objects.create(
                            key=key, window_start=now, count=1
                        )
                except IntegrityError:  # another request created it first
                    counter.update(count=F("count") + 1)
            number = counter.values_list("count", flat=True).get()
        return number <= self.limit

    def _upsert(self, connection, key, now):
        """Count one more in a single statement; return the new count.

        ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, which PostgreSQL and
        SQLite (3.35 and later) both understand: one round trip, atomic on
        its own, where the portable path above needs a transaction and four.
        """
        opts = RateLimitCounter._meta
        quote = connection.ops.quote_name
        table = quote(opts.db_table)
        key_col, start_col, count_col = (
            quote(opts.get_field(name).column)
            for name in ("key", "window_start", "count")
        )
        adapt = connection.ops.adapt_datetimefield_value
        cutoff = adapt(self.window_cutoff())
        # Only quoted names from the model go into the text; values are
        # parameters.
        sql = (
            f"INSERT INTO {table} ({key_col}, {start_col}, {count_col}) "  # noqa: S608
            f"VALUES (%s, %s, 1) ON CONFLICT ({key_col}) DO UPDATE SET "
            f"{count_col} = CASE WHEN {table}.{start_col} < %s THEN 1 "
            f"ELSE {table}.{count_col} + 1 END, "
            f"{start_col} = CASE WHEN {table}.{start_col} < %s "
            f"THEN excluded.{start_col} ELSE {table}.{start_col} END "
            f"RETURNING {count_col}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, adapt(now), cutoff, cutoff])
            return cursor.fetchone()[0]

    @classmethod
    def delete_expired(cls):
        """Delete counters whose window is over; returns how many."""
        cutoff = timezone.now() - timedelta(seconds=cls.period)
        return RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()[0]


def rate_limit_for(scope, *, limit=None):
    """The rate limit for ``scope``: in the database when the cache is.

    With ``RATE_LIMIT_CACHE`` on Django's database cache, whose increments are
    not atomic, the counters live in :class:`RateLimitCounter` rows; with
    Redis, memcached or the local-memory cache, in the cache itself.
    """
    cache = caches[selvhjelp_settings.RATE_LIMIT_CACHE]
    if isinstance(cache, DatabaseCache):
        return DatabaseRateLimit(scope, limit=limit)
    return guards.RateLimit(scope, limit=limit)
