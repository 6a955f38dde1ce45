"""Admin views for registrations, used by ``RegistrationViewSet``."""

from wagtail.admin.views.generic import IndexView


class RegistrationIndexView(IndexView):
    def get_base_queryset(self):
        # The listing shows each registration's page title: one join, not a
        # query per row.
        return super().get_base_queryset().select_related("page")
