"""Who may edit which municipality's settings.

Wagtail (from 7.1) decides it with ``SitePermissionPolicy``: a permission
given for one site (a group's site permission) covers that site, a global
permission (the model's Django permission) covers every site. A global
permission is how most projects hand out settings, and it would let an
editor of municipality A change B's sender, controller or written standard.
Here a global permission covers the sites the user works for
(:func:`~wagtail_selvhjelp.models.sites.site_ids_for_user`); a permission
given for one site still covers exactly that site; superusers every site.
On Wagtail 7.0 the settings views ask the model permission only and this
policy is not used (docs/sites.md).
"""

from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy

from .sites import site_ids_for_user


class SiteSettingPermissionPolicy(SitePermissionPolicy):
    def _granted_site_ids(self, user, actions):
        """Sites given to the user's groups one by one (Wagtail's own rule)."""
        codenames = self._get_permission_codenames(actions)
        return {
            granted.site_id
            for granted in self.get_cached_permissions_for_user(user)
            if granted.permission.content_type_id == self._content_type.pk
            and granted.permission.codename in codenames
        }

    def _site_ids(self, user, actions):
        site_ids = self._granted_site_ids(user, actions)
        if self._user_has_global_permission(user, actions):
            site_ids |= site_ids_for_user(user)
        return site_ids

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        site_id = (
            instance.pk
            if isinstance(instance, Site)
            else getattr(instance, self.site_fk_field_name)
        )
        return site_id in self._site_ids(user, actions)

    def sites_user_has_any_permission_for(self, user, actions):
        if not (user.is_authenticated and user.is_active):
            return Site.objects.none()
        if user.is_superuser:
            return Site.objects.all()
        return Site.objects.filter(pk__in=self._site_ids(user, actions))
