"""An oEmbed finder that never touches the network, for the test suite."""

from django.utils.html import escape
from wagtail.embeds.finders.base import EmbedFinder


class LocalEmbedFinder(EmbedFinder):
    def __init__(self, **options):
        pass

    def accept(self, url):
        return url.startswith("https://media.example.test/")

    def find_embed(self, url, max_width=None, max_height=None):
        return {
            "title": "Test media",
            "author_name": "",
            "provider_name": "Example media",
            "type": "video",
            "thumbnail_url": None,
            "width": 640,
            "height": 360,
            "html": f'<iframe src="{escape(url)}" title="Test media"></iframe>',
        }
