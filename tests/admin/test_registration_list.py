"""The registrations list marks what is true, and nothing where it is not.

Issue 18, item 9: a red cross for "possible duplicate" stood on every row
(screen readers heard "False"), and the first column's label broke inside
its word.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import wagtail_selvhjelp

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def _rows(body):
    (tbody,) = re.findall(
        r"<tbody>(.*?)</tbody>", body.split('class="listing')[1], re.S
    )
    return re.findall(r"<tr[^>]*>.*?</tr>", tbody, flags=re.S)


def test_possible_duplicate_is_marked_only_where_true(client, superuser, page_a):
    flagged = RegistrationFactory(page=page_a, possible_duplicate=True)
    RegistrationFactory(page=page_a)
    client.force_login(superuser)
    body = client.get(reverse("wagtail_selvhjelp_registration:index")).content.decode()
    rows = _rows(body)
    assert len(rows) == 2
    marked = [row for row in rows if "w-status" in row and "uplikat" in row]
    assert len(marked) == 1
    assert f"/{flagged.pk}/" in marked[0]
    assert 'title="False"' not in body
    assert not any("icon-cross" in row for row in rows)


def test_the_first_column_never_breaks_inside_a_word(client, superuser, page_a):
    RegistrationFactory(page=page_a)
    client.force_login(superuser)
    body = client.get(reverse("wagtail_selvhjelp_registration:index")).content.decode()
    (first_cell,) = re.findall(r'<td class="([^"]*)title"', body)
    assert "selvhjelp-whole-words" in first_cell.split()
    css = (
        Path(wagtail_selvhjelp.__file__).parent
        / "static/wagtail_selvhjelp/css/admin.css"
    ).read_text()
    rule = re.search(r"\.listing \.selvhjelp-whole-words[^{]*\{([^}]*)\}", css)
    assert rule and "word-break: normal" in rule.group(1)
