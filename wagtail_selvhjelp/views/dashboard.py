"""The coordinator's corner of the Wagtail dashboard.

A summary item (how many wait) and a panel (per page: waiting, longest
wait, groups forming and active), for the pages the user coordinates only,
and only for users who may put groups together.
"""

from django.urls import reverse
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.ui.components import Component

from ..models.overview import page_overview
from ..permissions import coordinated_pages
from .matching import may_match


class WaitingSummaryItem(SummaryItem):
    order = 150
    template_name = "wagtail_selvhjelp/admin/dashboard/summary_item.html"

    def __init__(self, request, *, url_names):
        super().__init__(request)
        self.url_names = url_names

    def is_shown(self):
        return may_match(self.request.user)

    def get_context_data(self, parent_context):
        rows = page_overview(coordinated_pages(self.request.user))
        return {
            "waiting": sum(row["waiting"] for row in rows),
            "url": reverse(self.url_names["index"]),
        }


class CoordinatorPanel(Component):
    name = "selvhjelp_coordinator"
    order = 90
    template_name = "wagtail_selvhjelp/admin/dashboard/panel.html"

    def __init__(self, request, *, url_names):
        self.request = request
        self.url_names = url_names

    def get_context_data(self, parent_context):
        return {
            "rows": page_overview(coordinated_pages(self.request.user)),
            "page_url_name": self.url_names["page"],
        }
