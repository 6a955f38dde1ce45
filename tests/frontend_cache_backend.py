"""A frontend cache for the tests: it records what it is asked to purge."""

from wagtail.contrib.frontend_cache.backends.base import BaseBackend


#: Every URL purged since the test began (the ``purged`` fixture clears it).
PURGED = []


class RecordingBackend(BaseBackend):
    def purge(self, url):
        PURGED.append(url)
