"""Per page, how many wait and how long, and its groups: the coordinator's overview.

A query beside the models rather than in a view, because the matching
screens and the dashboard show the same figures and must count them alike;
"waiting" is :meth:`RegistrationQuerySet.waiting`, as everywhere.
"""

from django.db.models import Count, Min, Q
from django.utils import timezone

from ..choices import GroupStatus
from .groups import SelfHelpGroup
from .registrations import Registration, days_since


def page_overview(pages):
    """Waiting count, longest wait and groups per page, in two queries."""
    pages = list(pages)
    ids = [page.pk for page in pages]
    waiting = {
        row["page_id"]: row
        for row in Registration.objects.waiting()
        .filter(page_id__in=ids)
        .values("page_id")
        .annotate(count=Count("pk"), first=Min("created_at"))
    }
    groups = {
        row["page_id"]: row
        for row in SelfHelpGroup.objects.filter(page_id__in=ids)
        .values("page_id")
        .annotate(
            forming=Count("pk", filter=Q(status=GroupStatus.FORMING)),
            active=Count("pk", filter=Q(status=GroupStatus.ACTIVE)),
        )
    }
    today = timezone.localdate()
    rows = []
    for page in pages:
        row = waiting.get(page.pk, {})
        first = row.get("first")
        rows.append(
            {
                "page": page,
                "waiting": row.get("count", 0),
                "longest_wait": days_since(first, today) if first else None,
                "forming": groups.get(page.pk, {}).get("forming", 0),
                "active": groups.get(page.pk, {}).get("active", 0),
            }
        )
    return rows
