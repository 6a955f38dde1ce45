"""Permission policies for the package's admin."""

from wagtail.permission_policies import ModelPermissionPolicy


class RegistrationPermissionPolicy(ModelPermissionPolicy):
    """Registrations come only from citizens through the public form.

    Nobody, superusers included, adds one in the admin: a registration needs
    the person's own consent, which only the form records.
    """

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
