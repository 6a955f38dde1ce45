"""The HTTP helpers on their own, without a page."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from wagtail_selvhjelp.http import (
    DatabaseIdConverter,
    RouteMethodsMixin,
    allow_methods,
    parse_id,
    private_response,
    with_head_and_options,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        ("007", 7),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),
        ("", None),
        ("-1", None),
        ("1.0", None),
        (" 1", None),
        ("²", None),
        ("١", None),
        (None, None),
        (7, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_id_takes_fewer_digits_when_asked():
    assert parse_id("123456", digits=6) == 123456
    assert parse_id("1234567", digits=6) is None


def test_the_id_converter_matches_up_to_18_digits():
    converter = DatabaseIdConverter()
    assert converter.to_python("42") == 42
    assert converter.to_url(42) == "42"
    members = reverse("wagtail_selvhjelp_group:members", args=[12])
    assert resolve(members).url_name == "members"
    too_long = members.replace("12", "1" * 19)
    try:
        assert resolve(too_long).url_name != "members"
    except Resolver404:
        pass


def test_private_response_keeps_out_of_every_cache():
    response = private_response(HttpResponse("mine"))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache", "must-revalidate"} <= cache_control


def test_with_head_and_options_lists_methods_as_django_does():
    assert with_head_and_options(["post", "get"]) == ["GET", "POST", "HEAD", "OPTIONS"]
    assert with_head_and_options(["POST"]) == ["POST", "OPTIONS"]


class Routes(RouteMethodsMixin):
    route_methods = {"named_route": ("GET",)}

    @allow_methods("post")
    def post_route(self, request):
        return HttpResponse()

    def named_route(self, request):
        return HttpResponse()

    def plain_route(self, request):
        return HttpResponse()


@pytest.mark.parametrize(
    ("route", "allowed"),
    [
        ("post_route", ["POST", "OPTIONS"]),
        ("named_route", ["GET", "HEAD", "OPTIONS"]),
        ("plain_route", ["GET", "POST", "HEAD", "OPTIONS"]),
    ],
)
def test_each_route_answers_its_own_methods(route, allowed):
    page = Routes()
    view = getattr(page, route)
    rf = RequestFactory()
    assert page.get_route_methods(view) == allowed
    for method in ("get", "post", "put", "delete", "options"):
        request = getattr(rf, method)("/")
        refused = page.check_request_method(request, (view, (), {}), {})
        if method.upper() in allowed:
            assert refused is None
        else:
            assert refused.status_code == 405
            assert refused["Allow"] == ", ".join(allowed)
    options = page.handle_options_request(rf.options("/"), (view, (), {}), {})
    assert options["Allow"] == ", ".join(allowed)


def test_without_a_route_the_defaults_apply():
    page = Routes()
    request = RequestFactory().put("/")
    assert page.check_request_method(request).status_code == 405
    assert page.get_route_methods() == ["GET", "POST", "HEAD", "OPTIONS"]
