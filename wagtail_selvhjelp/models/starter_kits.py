"""The starter's kit: the texts a starter prints for a group's first meeting.

The package has its own words for the group's principles, the
confidentiality declaration and the practical frame (:data:`DEFAULT_TEXTS`,
translated like every other string). Editors may replace any of them per
site *and* language with a :class:`StarterKitText` snippet: a translatable
snippet tied to a Wagtail ``Site`` (or to every site, when left empty), so a
municipality whose site has bokmål and nynorsk pages keeps one text in each.
Per-site settings (``SelfHelpSiteSettings``) hold one value per site, not one
per language, which is why these texts are not fields there.

The kit prints no one's name: the declaration has blank lines to sign.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin

from .contact_points import ContactPoint
from .sites import SiteScopedQuerySet


#: The package's own words, used where an editor wrote nothing.
DEFAULT_TEXTS = {
    "principles": _(
        "Everyone speaks for themselves, from their own experience, and "
        "decides how much to share.\n"
        "Everyone is of equal worth: nobody leads the others, and nobody is "
        "the expert on someone else's life.\n"
        "What is said in the group stays in the group.\n"
        "The group decides together whether to take in new members.\n"
        "Taking part is free, and nobody needs a referral."
    ),
    "declaration": _(
        "I promise not to pass on anything that is said in the group, nor "
        "who takes part in it, to anyone outside the group. This also applies "
        "after I or the group have stopped meeting."
    ),
    "practical": _(
        "Tell the others when you cannot come to a meeting, and tell the "
        "group if you decide to leave it (meldeplikt), so that nobody is left "
        "wondering.\n"
        "The starter takes part in the first meetings to help the group get "
        "going, and then withdraws when the group runs itself."
    ),
}


class StarterKitText(TranslatableMixin, models.Model):
    """A site's own wording of the starter's kit, in one language.

    Empty fields keep the package's text. A text for a site wins over one
    for every site (no site chosen).
    """

    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
        help_text=_("Empty: for every site that has no text of its own."),
    )
    principles = models.TextField(
        _("the group's principles"),
        blank=True,
        help_text=_(
            "One principle per line. Empty: the package's text "
            "(everyone speaks for themselves, equal worth, confidentiality, "
            "the group decides on newcomers, free, no referral)."
        ),
    )
    declaration = models.TextField(
        _("confidentiality declaration"),
        blank=True,
        help_text=_("Empty: the package's text. The kit adds lines to sign."),
    )
    practical = models.TextField(
        _("practical frame"),
        blank=True,
        help_text=_(
            "One paragraph per line: telling the others when you cannot come "
            "or will leave, how long the starter stays. Empty: the package's "
            "text. The kit adds the group's place, time and rhythm itself."
        ),
    )
    contact_point = models.ForeignKey(
        "wagtail_selvhjelp.ContactPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact point"),
        help_text=_("Who members and the starter can turn to."),
    )

    objects = SiteScopedQuerySet.as_manager()

    panels = [
        FieldPanel("site"),
        FieldPanel("principles"),
        FieldPanel("declaration"),
        FieldPanel("practical"),
        FieldPanel("contact_point"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("starter's kit text")
        verbose_name_plural = _("starter's kit texts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "locale"], name="selvhjelp_starter_kit_site_locale"
            ),
            # Databases count NULLs as distinct: one "every site" text per
            # language needs its own constraint.
            models.UniqueConstraint(
                fields=["locale"],
                condition=models.Q(site__isnull=True),
                name="selvhjelp_starter_kit_every_site_locale",
            ),
        ]

    def __str__(self):
        site = self.site.site_name if self.site_id else _("every site")
        return f"{site} ({self.locale})"

    @classmethod
    def texts_for(cls, site, locale):
        """The kit's texts for ``site`` in ``locale``: a dict of the
        :data:`DEFAULT_TEXTS` keys, plus ``contact_point`` (or None).

        One query (two with a contact point); a site's own text wins over
        the text for every site, and each empty field keeps the package's
        words.
        """
        rows = list(
            cls.objects.filter(locale=locale)
            .filter(models.Q(site=site) | models.Q(site__isnull=True))
            .select_related("contact_point")
        )
        rows.sort(key=lambda row: row.site_id is None)
        texts = {"contact_point": None}
        for name, default in DEFAULT_TEXTS.items():
            texts[name] = next(
                (getattr(row, name) for row in rows if getattr(row, name).strip()),
                str(default),
            )
        # The text for every site may name one site's contact point: only
        # one the site shows (its own, shared with it, national) is used.
        chosen = [row.contact_point for row in rows if row.contact_point_id]
        if chosen:
            shown = set(
                ContactPoint.objects.for_site(site)
                .filter(pk__in=[point.pk for point in chosen])
                .values_list("pk", flat=True)
            )
            chosen = [point for point in chosen if point.pk in shown]
        texts["contact_point"] = chosen[0] if chosen else None
        return texts
