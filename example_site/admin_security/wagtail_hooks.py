from django.urls import path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_second_factor_urls():
    # Admin URLs: only signed-in admin users reach them, and the admin
    # marks every one of its responses never_cache.
    return [
        path("second-factor/", views.verify, name="admin_security_verify"),
        path("second-factor/set-up/", views.enrol, name="admin_security_enrol"),
    ]
