"""A description for search engines on every page of the package.

Search results show a page's ``<meta name="description">`` under its title;
Wagtail keeps the editor's text for it in ``search_description`` (the
Promote tab). Most editors leave it empty, so each page type says where its
own words are (:meth:`MetaDescriptionMixin.get_description_text`: the intro,
else the body's first paragraph) and the page makes the description from
them: plain text on one line, cut at a word to about what search engines
show. The editor's text always comes first, and a page with no words of its
own says what the page type is for, in the page's language.
"""

import re

from django.utils import translation
from django.utils.functional import cached_property
from wagtail.blocks import RichTextBlock
from wagtail.rich_text import get_text_for_indexing

from .languages import page_language


#: About what search engines show of a description before they cut it.
DESCRIPTION_LENGTH = 155

_FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)


def summarise(text, max_length=DESCRIPTION_LENGTH):
    """``text`` on one line, at most ``max_length`` characters.

    A longer text is cut after its last whole word that fits, and ends with
    an ellipsis (counted in ``max_length``).
    """
    text = " ".join(text.split())
    if len(text) <= max_length:
        return text
    room = max_length - 1
    cut = text[: room + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:room]
    return cut.rstrip(" ,;:–-") + "…"


def rich_text_to_plain(html):
    """The words of a rich text (stored HTML), without tags or entities."""
    return get_text_for_indexing(str(html or ""))


def first_paragraph(html):
    """The words of the first non-empty paragraph of a rich text."""
    for paragraph in _FIRST_PARAGRAPH.findall(str(html or "")):
        text = rich_text_to_plain(paragraph)
        if text:
            return text
    return rich_text_to_plain(html)


def first_paragraph_of_stream(stream):
    """The first paragraph of the first text block of a StreamField value.

    Reads the stored data, not the blocks' values: no query, whatever else
    (images, documents) the stream holds before its first text.
    """
    if not stream:
        return ""
    child_blocks = stream.stream_block.child_blocks
    for item in stream.raw_data:
        if isinstance(child_blocks.get(item["type"]), RichTextBlock):
            text = first_paragraph(item["value"])
            if text:
                return text
    return ""


class MetaDescriptionMixin:
    """Give a page a description for search engines, even without the editor's.

    Put it before ``Page`` in the bases and override
    :meth:`get_description_text`; templates print :attr:`meta_description`.
    """

    #: What the page is for, when neither the editor nor the page's own
    #: words give a description; translated into the page's language.
    default_description = ""

    def get_description_text(self):
        """Plain text the description is made from when the editor wrote none.

        The page's intro or its first paragraph; empty when it has neither.
        """
        return ""

    @cached_property
    def meta_description(self):
        """The editor's search description, else one made from the page's text."""
        editors = " ".join((self.search_description or "").split())
        if editors:
            return editors
        own_words = summarise(self.get_description_text())
        if own_words or not self.default_description:
            return own_words
        # The site's written standard (a bokmål site over a nynorsk tree
        # describes its pages in bokmål), as the page is shown.
        with translation.override(page_language(self)):
            return str(self.default_description)
