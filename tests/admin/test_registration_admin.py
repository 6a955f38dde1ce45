"""The registrations admin: export, search, filters, status change, avoid pairs."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from wagtail_selvhjelp.models import AvoidPair, Registration, SelfHelpLogEntry

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db

INDEX = "wagtail_selvhjelp_registration:index"
HOSTILE = '=HYPERLINK("http://evil.example","klikk")'


@pytest.fixture
def hostile(page_a):
    return RegistrationFactory(
        page=page_a,
        name=HOSTILE,
        email="ond@example.test",
        phone="+4796851295",
        topics=["Angst"],
        message="@SUM(1+1)",
        avoid_text="-2+3",
    )


def export(client, fmt, **params):
    return client.get(reverse(INDEX), {"export": fmt, **params})


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def grant(user, codename):
    user.groups.first().permissions.add(Permission.objects.get(codename=codename))
    user.user_permissions.clear()  # drop Django's permission cache
    return type(user).objects.get(pk=user.pk)


def test_csv_export_neutralises_formulas_and_keeps_phones(
    client, coordinator_a, hostile
):
    client.force_login(coordinator_a)
    response = export(client, "csv")
    assert response.status_code == 200
    header, row = csv_rows(response)
    values = dict(zip(header, row, strict=True))
    name_column = next(h for h in header if values[h].endswith(HOSTILE))
    assert values[name_column] == "'" + HOSTILE
    assert "968 51 295" in row
    # Without the answers permission: no topics, no free texts.
    assert "Angst" not in row
    assert "'@SUM(1+1)" not in row and "@SUM(1+1)" not in " ".join(row)


@pytest.mark.parametrize(
    "name", ["Kari;=1+2;", "Kari,=1+2,", "Kari; +47 1\n@SUM(1)", "Kari;\t-3"]
)
def test_no_formula_forms_whatever_separator_the_reader_uses(
    client, coordinator_a, page_a, name
):
    RegistrationFactory(page=page_a, name=name)
    client.force_login(coordinator_a)
    text = b"".join(export(client, "csv").streaming_content).decode("utf-8")
    header = text.splitlines()[0]
    assert header.startswith('"') and header.endswith('"') and '"Kari' in text
    for delimiter in (",", ";"):
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
            cells = [cell.strip(' "') for row in reader for cell in row]
            assert not [cell for cell in cells if cell and cell[0] in "=+-@\t"], cells
    values = list(csv.reader(io.StringIO(text)))[1]
    assert any("Kari" in value and "'" in value for value in values)


def test_xlsx_export_writes_text_never_formulas(client, coordinator_a, hostile):
    user = grant(coordinator_a, "export_registration_answers")
    client.force_login(user)
    response = export(client, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = [[cell.value for cell in r] for r in sheet.iter_rows()][:2]
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    by_value = {cell.value: cell for cell in cells}
    assert by_value[HOSTILE].data_type == "s"
    assert by_value["@SUM(1+1)"].data_type == "s"
    assert by_value["-2+3"].data_type == "s"
    assert "968 51 295" in row
    assert "Angst" in row  # answers included with the second permission


def test_csv_export_with_answers_neutralises_them_too(client, coordinator_a, hostile):
    client.force_login(grant(coordinator_a, "export_registration_answers"))
    header, row = csv_rows(export(client, "csv"))
    assert "'@SUM(1+1)" in row
    assert "'-2+3" in row
    assert "Angst" in row


def test_export_needs_its_own_permission(client, coordinator_a, hostile):
    coordinator_a.groups.first().permissions.remove(
        Permission.objects.get(codename="export_registration")
    )
    client.force_login(type(coordinator_a).objects.get(pk=coordinator_a.pk))
    response = export(client, "csv")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    listing = client.get(reverse(INDEX)).content.decode()
    assert "export=csv" not in listing


def test_export_is_scoped_and_logged_without_rows(
    client, coordinator_b, hostile, registration_b
):
    client.force_login(coordinator_b)
    header, *rows = csv_rows(export(client, "csv", status="waiting"))
    assert [row[0] for row in rows] == [str(registration_b.pk)]
    (entry,) = SelfHelpLogEntry.objects.filter(action="wagtail_selvhjelp.export")
    assert entry.page_id == registration_b.page_id
    assert entry.data["rows"] == 1 and entry.data["filters"] == ["status"]
    assert registration_b.name not in str(entry.data)


def test_search_by_name_email_and_phone_as_typed(client, coordinator_a, page_a):
    client.force_login(coordinator_a)
    kari = RegistrationFactory(page=page_a, name="Kari Nordmann", phone="+4796851295")
    RegistrationFactory(page=page_a, name="Ola Hansen", email="ola@example.test")

    def found(query):
        response = client.get(reverse(INDEX), {"q": query})
        return {obj.pk for obj in response.context["object_list"]}

    assert found("nordmann") == {kari.pk}
    assert found("968 51 295") == {kari.pk}
    assert found("96851295") == {kari.pk}
    assert len(found("example.test")) == 2


def test_filters_narrow_the_listing(client, coordinator_a, page_a):
    client.force_login(coordinator_a)
    gol = RegistrationFactory(page=page_a, places=["Gol"], group_kind="mixed")
    RegistrationFactory(page=page_a, places=["Hol"], group_kind="any")
    place = page_a.places.get(name="Gol").pk
    response = client.get(reverse(INDEX), {"places": place, "group_kind": "mixed"})
    assert [obj.pk for obj in response.context["object_list"]] == [gol.pk]


def test_status_change_for_the_filtered_list(
    client, coordinator_a, coordinator_b, page_a, page_b
):
    a_new = [RegistrationFactory(page=page_a, status="new") for _ in range(3)]
    a_contacted = RegistrationFactory(page=page_a, status="contacted")
    b_new = RegistrationFactory(page=page_b, status="new")
    url = reverse("wagtail_selvhjelp_registration:bulk_status")
    client.force_login(coordinator_a)
    response = client.get(url, {"status": "new"})
    assert response.status_code == 200
    assert response.context["count"] == 3
    assert 'name="status" value="waiting"' in response.content.decode()
    response = client.post(url + "?status=new", {"status": "waiting"})
    assert response.status_code == 302
    assert set(
        Registration.objects.filter(status="waiting").values_list("pk", flat=True)
    ) == {r.pk for r in a_new}
    a_contacted.refresh_from_db()
    b_new.refresh_from_db()
    assert a_contacted.status == "contacted" and b_new.status == "new"
    assert (
        SelfHelpLogEntry.objects.filter(action="wagtail_selvhjelp.status").count() == 3
    )
    # A status that does not exist changes nothing.
    response = client.post(url, {"status": "bogus"})
    assert response.status_code == 200
    # Coordinator B's "everything" is only page B.
    client.force_login(coordinator_b)
    client.post(url, {"status": "spam"})
    assert Registration.objects.filter(status="spam").get() == b_new


def test_avoid_pairs_are_linked_and_unlinked_on_inspect(
    client, coordinator_a, coordinator_b, page_a, page_b
):
    one, other = (
        RegistrationFactory(page=page_a, avoid_text="Broren min"),
        RegistrationFactory(page=page_a),
    )
    elsewhere = RegistrationFactory(page=page_b)
    url = reverse("wagtail_selvhjelp_registration:avoid", args=[one.pk])
    inspect = reverse("wagtail_selvhjelp_registration:inspect", args=[other.pk])
    client.force_login(coordinator_a)
    html = client.get(
        reverse("wagtail_selvhjelp_registration:inspect", args=[one.pk])
    ).content.decode()
    assert "Broren min" in html and other.name in html

    assert client.post(url, {"other": other.pk}).status_code == 302
    assert list(AvoidPair.objects.partners_of(one)) == [other.pk]
    assert one.name in client.get(inspect).content.decode()  # shown on both

    client.post(url, {"other": elsewhere.pk})  # another page: refused
    for hostile in ("x", "²", "123456789012345678901234", ""):
        assert client.post(url, {"other": hostile}).status_code == 302
    assert AvoidPair.objects.count() == 1

    client.force_login(coordinator_b)
    assert client.post(url, {"other": other.pk, "action": "remove"}).status_code == 404
    assert AvoidPair.objects.count() == 1

    client.force_login(coordinator_a)
    client.post(url, {"other": other.pk, "action": "remove"})
    assert AvoidPair.objects.count() == 0
    assert (
        SelfHelpLogEntry.objects.filter(action="wagtail_selvhjelp.avoid_unlink").count()
        == 2
    )


def test_menu_items_are_hidden_without_permission(client, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    for path in (
        "/admin/selvhjelp/registrations/",
        "/admin/selvhjelp/groups/",
        "/admin/selvhjelp/matching/",
    ):
        assert path not in html


def test_inspect_says_yes_or_no(client, coordinator_a, page_a):
    from django.utils import translation

    registration = RegistrationFactory(page=page_a, single_gender=True, gender="man")
    client.force_login(coordinator_a)
    with translation.override("en"):
        html = client.get(
            reverse("wagtail_selvhjelp_registration:inspect", args=[registration.pk])
        ).content.decode()
    assert "False" not in html and "True" not in html


def test_bulk_status_refuses_an_invalid_filter(client, coordinator_a, registration_a):
    from django.urls import reverse

    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_registration:bulk_status")
    response = client.post(url + "?status=bogus", {"status": "spam"})
    assert response.status_code == 302
    registration_a.refresh_from_db()
    assert registration_a.status != "spam"
    long = client.post(url + "?q=" + "x" * 5000, {"status": "spam"})
    assert long.status_code == 302 and len(long["Location"]) < 4100


def test_ids_that_are_not_ascii_digits_are_not_found(client, coordinator_a, group_a):
    from django.urls import reverse

    client.force_login(coordinator_a)
    add = reverse("wagtail_selvhjelp_group:add")
    assert client.get(add + "?page=²").status_code == 200
    assert client.get(add + "?page=" + "9" * 30).status_code == 200
    remove = reverse("wagtail_selvhjelp_group:remove_member", args=[1])
    response = client.post(remove.replace("/1/", "/²/"), {"reason": "other"})
    assert response.status_code == 404


def test_xlsx_export_drops_characters_a_workbook_cannot_hold(
    client, coordinator_a, registration_a
):
    from wagtail_selvhjelp.models import Registration

    Registration.objects.filter(pk=registration_a.pk).update(
        name="Kari \x1b[31mDemo\x07 \ufffe\uffffNord"
    )
    client.force_login(coordinator_a)
    response = export(client, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Kari [31mDemo Nord" in values
