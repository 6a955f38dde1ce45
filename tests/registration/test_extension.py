"""A site adds a question by subclassing, without copying a template.

The example is ``tests.testapp``: a page class with one extra question,
stored in a subclass of ``Registration`` (the README shows the same code).
"""

import pytest
from wagtail.models import Page

from tests.testapp.models import LanguageRegistration, LanguageRegistrationPage
from wagtail_selvhjelp.models import (
    Registration,
    RegistrationPlace,
    RegistrationTimeSlot,
    RegistrationTopic,
)

from .test_form import post


pytestmark = pytest.mark.django_db


@pytest.fixture
def language_page(section):
    page = LanguageRegistrationPage(
        title="Meld deg på (språk)",
        slug="sprak",
        privacy_notice="<p>Vi behandler opplysningene dine trygt.</p>",
        consent_text="Jeg samtykker.",
        notify_emails="koordinator@example.test",
    )
    page.places = [RegistrationPlace(name="Gol")]
    page.time_slots = [RegistrationTimeSlot(name="Kveld")]
    page.topics = [RegistrationTopic(name="Angst")]
    section.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_extra_question_is_rendered_in_the_form(client, language_page):
    html = client.get(language_page.url).content.decode()
    assert "Which language would you like the group to speak?" in html
    assert 'id="id_group_language_0"' in html
    # Inside the "wishes" fieldset, before the privacy fieldset, and with the
    # same accessible markup as the package's own questions.
    starts = [
        i
        for i in range(len(html))
        if html.startswith('<fieldset class="selvhjelp-fieldset">', i)
    ]
    assert len(starts) == 3
    assert starts[1] < html.index("id_group_language_0") < starts[2]
    assert 'aria-describedby="id_group_language_hint"' in html


def test_the_extra_question_is_validated(client, language_page):
    response = post(client, language_page)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_group_language_0"' in html  # in the error summary
    assert Registration.objects.count() == 0


def test_the_extra_answer_is_stored(client, language_page):
    response = post(client, language_page, group_language="polski")
    assert response.status_code == 303
    registration = LanguageRegistration.objects.get()
    assert registration.group_language == "polski"
    assert registration.name == "Kari Nordmann"
    assert list(registration.places.values_list("name", flat=True)) == ["Gol"]
    # The base row is an ordinary registration of the page.
    base = Registration.objects.get()
    assert base.page_id == language_page.pk
    assert base.get_specific() == registration


def test_the_extra_answer_is_shown_in_inspect(client, admin_client, language_page):
    post(client, language_page, group_language="polski")
    registration = Registration.objects.get()
    html = admin_client.get(
        f"/admin/selvhjelp/registrations/inspect/{registration.pk}/"
    ).content.decode()
    assert "Preferred language in the group" in html  # the field's verbose_name
    assert "polski" in html


def test_deleting_the_page_deletes_its_registrations(client, language_page):
    post(client, language_page, group_language="norsk")
    Page.objects.get(pk=language_page.pk).delete()
    assert Registration.objects.count() == 0
    assert LanguageRegistration.objects.count() == 0


def test_the_readme_shows_this_example():
    """The README's example is the code tested here, not a copy that drifts."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    section = readme[readme.index("### Adding a question to the registration form") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    tested = (root / "tests" / "testapp" / "models.py").read_text()

    def classes(source):
        tree = ast.parse(source)
        result = {}
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                body = [
                    ast.dump(statement)
                    for statement in node.body
                    if not (
                        isinstance(statement, ast.Assign)
                        and statement.targets[0].id == "form_class_path"
                    )
                    and not isinstance(statement, ast.Expr)  # docstrings
                ]
                result[node.name] = body
        return result

    assert classes(code) == classes(tested)


def test_a_site_page_comes_with_its_registration_in_one_query(
    client, language_page, django_assert_num_queries
):
    from wagtail_selvhjelp.models import Registration

    assert post(client, language_page, group_language="polski").status_code == 303
    with django_assert_num_queries(1):
        registration = Registration.objects.with_specific_page().get()
        page = registration.get_specific_page()
        assert type(page) is LanguageRegistrationPage
        assert page.notify_emails == "koordinator@example.test"


def test_a_site_page_is_a_registration_page_wherever_the_package_asks(
    client, section, language_page
):
    """The contract is the abstract page: a site's subclass passes every test
    the package's own page passes."""
    from django.contrib.auth.models import Group, User

    from wagtail_selvhjelp import permissions, privacy
    from wagtail_selvhjelp.models import AbstractGroupRegistrationPage
    from wagtail_selvhjelp.models.registrations import registration_page_paths

    assert isinstance(language_page, AbstractGroupRegistrationPage)
    assert LanguageRegistrationPage in registration_page_paths()
    assert section.get_registration_page().pk == language_page.pk

    post(client, language_page, group_language="english")
    registration = Registration.objects.get()
    assert type(registration.get_specific()) is LanguageRegistration
    assert type(registration.get_specific_page()) is LanguageRegistrationPage

    coordinators = Group.objects.create(name="Koordinatorer")
    language_page.coordinator_groups.add(coordinators)
    language_page.save()
    user = User.objects.create_user("koordinator")
    user.groups.add(coordinators)
    coordinated = permissions.coordinated_pages(user)
    assert [page.pk for page in coordinated] == [language_page.pk]

    language_page.retention_closed_days = 7
    assert privacy.retention_for(language_page).closed_days == 7
    labels = [str(row["label"]) for row in privacy.collected_fields(language_page)]
    assert "preferred language in the group" in labels
