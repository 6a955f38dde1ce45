"""Admin views for registrations, used by ``RegistrationViewSet``."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from ..models import Registration
from .scoping import ScopedIndexView, ScopedInspectView


class RegistrationIndexView(ScopedIndexView):
    def get_base_queryset(self):
        # The listing shows each registration's page title: one join, not a
        # query per row.
        return super().get_base_queryset().select_related("page")


class RegistrationInspectView(ScopedInspectView):
    """Every answer, including a site's extra questions.

    When the registration's page stores registrations in a subclass of
    ``Registration`` (see ``get_registration_model``), the subclass's own
    fields are shown after the package's.
    """

    def get_object(self, queryset=None):
        registration = super().get_object(queryset).get_specific()
        self.fields = [*self.fields, *self.get_extra_fields(type(registration))]
        return registration

    def get_extra_fields(self, model):
        """Names of the answers a site's registration model adds."""
        return [
            field.name
            for field in model._meta.concrete_fields
            if field.model is not Registration
            and not field.primary_key
            and not field.is_relation
        ]

    def get_context_for_field(self, field_name):
        try:
            self.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            # A site's extra answer: the field lives on the subclass.
            field = type(self.object)._meta.get_field(field_name)
            return {
                "label": capfirst(field.verbose_name),
                "value": self.get_field_display_value(field_name, field),
                "component": None,
            }
        return super().get_context_for_field(field_name)
