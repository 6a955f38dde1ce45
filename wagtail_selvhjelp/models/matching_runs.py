"""A coordinator's matching run: the engine's proposal and their edits.

Stored so that a run and its edits survive a page reload and another
coordinator can see it, holding only ids and the engine's structured facts:
registration ids, choice keys, counts and reason codes, never a name or an
answer. Deleting a registration leaves a stale id behind, which the workflow
skips; runs are short-lived working state, deleted with their page.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .page_scoped import PageScopedModel


class MatchingRun(PageScopedModel):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    #: {"groups": [{"members": [ids], "place": key, "slot": key, "topic": key
    #: or null, "gender": str or null, "open_group": id or null, "kept": bool}],
    #: "unplaced": {id: {"code": str, "params": {...}}}, "upper_bound": int}
    proposal = models.JSONField(default=dict)
    #: Registration ids the coordinator left out of this run.
    excluded = models.JSONField(default=list)

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Matching run %(number)s") % {"number": self.pk or "–"}
