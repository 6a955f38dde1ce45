from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from wagtail_selvhjelp.models import MetaDescriptionMixin, PublicCacheMixin
from wagtail_selvhjelp.models.descriptions import rich_text_to_plain
from wagtail_selvhjelp.models.languages import PageLanguageMixin


class HomePage(PageLanguageMixin, MetaDescriptionMixin, PublicCacheMixin, Page):
    """The example municipality's front page; the self-help section sits below it.

    Like the package's content pages it is the same for everyone: it may be
    kept by a shared cache (and so is compressed, see docs/compression.md)
    and describes itself to search engines from its intro when the editor
    left the search description empty.
    """

    intro = RichTextField(_("intro"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_description_text(self):
        return rich_text_to_plain(self.intro)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().public().in_menu()
        return context
