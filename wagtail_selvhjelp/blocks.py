"""StreamField blocks for the self-help information pages.

Each block renders through its own template under
``wagtail_selvhjelp/blocks/``, so a site can restyle one without the others.
"""

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Site
from wagtail.snippets.blocks import SnippetChooserBlock


#: Rich text stays simple: no headings (use the heading block, which keeps
#: levels in order), no embeds, no colours.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[
            ("h2", _("Heading 2")),
            ("h3", _("Heading 3")),
            ("h4", _("Heading 4")),
        ],
        default="h2",
        help_text=_("Use heading 2 for sections; 3 and 4 only below a 2."),
    )
    anchor = blocks.CharBlock(
        label=_("anchor"),
        required=False,
        max_length=60,
        help_text=_(
            "Optional link target, e.g. 'how-it-works'; made from the text if empty."
        ),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "wagtail_selvhjelp/blocks/heading.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # «Det første møtet» → det-forste-motet (Django's slugify drops ø).
        context["anchor"] = slugify(anyascii(value["anchor"] or value["text"]))
        return context


class PointListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    points = blocks.ListBlock(
        blocks.CharBlock(label=_("point"), max_length=300),
        label=_("points"),
        min_num=1,
    )

    class Meta:
        icon = "list-ul"
        label = _("List of points")
        template = "wagtail_selvhjelp/blocks/point_list.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"), max_length=800)
    attribution = blocks.CharBlock(
        label=_("attribution"),
        required=False,
        max_length=100,
        help_text=_(
            "For example a first name and age. Never a full name without consent."
        ),
    )

    class Meta:
        icon = "openquote"
        label = _("Testimonial")
        template = "wagtail_selvhjelp/blocks/quote.html"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(
        label=_("value"), max_length=20, help_text=_("For example '71 %'.")
    )
    label = blocks.CharBlock(label=_("what the figure shows"), max_length=200)
    source = blocks.CharBlock(label=_("source"), required=False, max_length=200)

    class Meta:
        icon = "order"
        label = _("Figure")


class KeyFiguresBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    figures = blocks.ListBlock(
        KeyFigureBlock(), label=_("figures"), min_num=1, max_num=4
    )

    class Meta:
        icon = "order"
        label = _("Key figures")
        template = "wagtail_selvhjelp/blocks/key_figures.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("answer"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Question")


class QuestionsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    questions = blocks.ListBlock(QuestionBlock(), label=_("questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        template = "wagtail_selvhjelp/blocks/questions.html"


class CallToActionBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("link text"),
        max_length=80,
        help_text=_("Says where the link goes, e.g. 'Register for a group'."),
    )
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or web address"), required=False)

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "wagtail_selvhjelp/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise StructBlockValidationError(
                non_block_errors=ErrorList(
                    [
                        ValidationError(
                            _("Choose a page or enter a web address (one of them).")
                        )
                    ]
                )
            )
        return value


class ContactPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    contact_points = blocks.ListBlock(
        SnippetChooserBlock("wagtail_selvhjelp.ContactPoint", label=_("contact point")),
        label=_("contact points"),
        min_num=1,
    )

    class Meta:
        icon = "group"
        label = _("Contact points")
        template = "wagtail_selvhjelp/blocks/contact_points.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # Chosen contact points can be unpublished later; never show drafts,
        # nor another municipality's (one query for the site's own, shared
        # and national ones among those chosen).
        chosen = [
            contact_point
            for contact_point in value["contact_points"]
            if contact_point is not None and contact_point.live
        ]
        if chosen:
            model = self.child_blocks["contact_points"].child_block.target_model
            allowed = set(
                model.objects.for_site(_site_id(parent_context or {}))
                .filter(pk__in=[contact_point.pk for contact_point in chosen])
                .values_list("pk", flat=True)
            )
            chosen = [cp for cp in chosen if cp.pk in allowed]
        context["contact_points"] = chosen
        return context


def _site_id(parent_context):
    """The id of the site a block is shown on: the page's, else the
    request's (None outside every site)."""
    request = parent_context.get("request")
    page = parent_context.get("page")
    if page is not None:
        parts = page.get_url_parts(request)
        return parts[0] if parts else None
    site = Site.find_for_request(request) if request is not None else None
    return site.pk if site is not None else None


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"),
        required=False,
        max_length=120,
        help_text=_("Defaults to the document's title."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Document download")
        template = "wagtail_selvhjelp/blocks/document.html"


class MediaEmbedBlock(blocks.StructBlock):
    embed = EmbedBlock(label=_("address of the video or podcast"))
    title = blocks.CharBlock(
        label=_("title"),
        max_length=120,
        help_text=_("Tells screen-reader users what the player contains."),
    )
    transcript = blocks.RichTextBlock(
        label=_("transcript or summary"),
        required=False,
        features=RICH_TEXT_FEATURES,
    )

    class Meta:
        icon = "media"
        label = _("Video or podcast")
        template = "wagtail_selvhjelp/blocks/embed.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "wagtail_selvhjelp/blocks/image.html"


class InfoStreamBlock(blocks.StreamBlock):
    """The body of the self-help pages."""

    rich_text = blocks.RichTextBlock(
        label=_("Text"),
        features=RICH_TEXT_FEATURES,
        template="wagtail_selvhjelp/blocks/rich_text.html",
    )
    heading = HeadingBlock()
    points = PointListBlock()
    quote = QuoteBlock()
    key_figures = KeyFiguresBlock()
    questions = QuestionsBlock()
    call_to_action = CallToActionBlock()
    contact_points = ContactPointsBlock()
    document = DocumentBlock()
    embed = MediaEmbedBlock()
    image = ImageBlock()


class FactBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("name of the fact"), max_length=60, help_text=_("For example 'Cost'.")
    )
    value = blocks.CharBlock(
        label=_("value"), max_length=200, help_text=_("For example 'Free'.")
    )

    class Meta:
        icon = "info-circle"
        label = _("Fact")
