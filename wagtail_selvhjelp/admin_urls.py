"""The admin viewsets' names, which are their URL namespaces.

A plain module, so that code below the admin layer (background tasks, the
messages they send) can reverse an admin URL by name without importing the
viewsets and, through them, every admin view.
"""

REGISTRATION_VIEWSET_NAME = "wagtail_selvhjelp_registration"
GROUP_VIEWSET_NAME = "wagtail_selvhjelp_group"
MATCHING_VIEWSET_NAME = "wagtail_selvhjelp_matching"
STATISTICS_VIEWSET_NAME = "wagtail_selvhjelp_statistics"
PRIVACY_VIEWSET_NAME = "wagtail_selvhjelp_privacy"
STARTER_VIEWSET_NAME = "wagtail_selvhjelp_starter"

#: The registrations listing, as ``ModelViewSet.get_url_name("index")`` names it.
REGISTRATION_INDEX_URL_NAME = f"{REGISTRATION_VIEWSET_NAME}:index"
