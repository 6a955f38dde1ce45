"""The baseline of ``benchmarks/pages.py``: the plainest Wagtail page there is."""

from wagtail.fields import RichTextField
from wagtail.models import Page


class PlainPage(Page):
    """A page with one rich-text body and a minimal template.

    The template extends the example site's ``base.html``, so a plain page
    has the same site chrome as the package's pages; what it lacks is the
    package's blocks, queries and includes.
    """

    body = RichTextField(blank=True)

    template = "bench_pages/plain_page.html"
