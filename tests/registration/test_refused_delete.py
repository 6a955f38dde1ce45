"""A refused delete of a place in use comes back visible, with its message
next to it, and the editor's other edits kept (issue 18, item 17)."""

import re

import pytest
from django.urls import reverse

from .test_admin import _page_form
from .test_form import post


pytestmark = pytest.mark.django_db


def test_the_refused_row_comes_back_visible_with_its_message(
    client, admin_client, page
):
    assert post(client, page).status_code == 303  # a registration chooses Gol
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = _page_form(page, delete_places=["Gol"])
    data["title"] = "Meld deg på, endret"  # another edit, kept in the form
    response = admin_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["form"].formsets["places"]
    (refused,) = [form for form in formset.forms if form.instance.name == "Gol"]
    assert not refused["DELETE"].value()
    assert refused.non_field_errors()
    html = response.content.decode()
    delete_input = re.search(
        rf'<input[^>]*name="{refused.prefix}-DELETE"[^>]*>', html
    ).group(0)
    assert "checked" not in delete_input
    assert not re.search(r'value="(1|True|true|on)"', delete_input)
    assert 'value="Meld deg på, endret"' in html
