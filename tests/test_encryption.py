"""Free texts are encrypted at rest; keys rotate; a wrong key is a clear error."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection

from wagtail_selvhjelp import encryption
from wagtail_selvhjelp.models import GroupMembership, Registration

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db

SECRET = "Søsteren min Kari, og jeg har slitt med angst"


def raw(registration, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM wagtail_selvhjelp_registration WHERE id = %s",  # noqa: S608
            [registration.pk],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def page(section):
    return make_registration_page(section)


def test_round_trip_and_nothing_in_clear_in_the_database(page):
    registration = RegistrationFactory(
        page=page,
        avoid_text=SECRET,
        access_needs=SECRET,
        message=SECRET,
        coordinator_notes=SECRET,
    )
    fresh = Registration.objects.get(pk=registration.pk)
    for name in ("avoid_text", "access_needs", "message", "coordinator_notes"):
        assert getattr(fresh, name) == SECRET
        stored = raw(registration, name)
        assert stored.startswith(encryption.PREFIX)
        assert "angst" not in stored and "Kari" not in stored
    # Every encryption uses a fresh IV: equal answers do not look equal.
    assert raw(registration, "message") != raw(registration, "avoid_text")
    assert Registration.objects.values_list("message", flat=True).get() == SECRET


def test_empty_answers_stay_empty_and_can_be_filtered(page):
    RegistrationFactory(page=page, message="")
    RegistrationFactory(page=page, message=SECRET)
    assert Registration.objects.filter(message="").count() == 1
    assert Registration.objects.exclude(message="").count() == 1
    with pytest.raises(ValueError, match="empty string"):
        Registration.objects.filter(message=SECRET).count()


def test_the_field_cannot_be_searched(page):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Registration.objects.filter(message__icontains="angst"))


def test_a_wrong_key_is_a_clear_error_never_ciphertext(page, settings):
    registration = RegistrationFactory(page=page, message=SECRET)
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(encryption.DecryptionError, match="cannot be decrypted"):
        Registration.objects.get(pk=registration.pk)


def test_plain_text_where_a_ciphertext_belongs_is_an_error(page):
    registration = RegistrationFactory(page=page)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wagtail_selvhjelp_registration SET message = %s WHERE id = %s",
            ["written around the model", registration.pk],
        )
    with pytest.raises(encryption.DecryptionError, match="not encrypted"):
        Registration.objects.get(pk=registration.pk)


def test_without_a_key_outside_development_nothing_is_stored(page, settings):
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    with pytest.raises(encryption.MissingKeyError):
        RegistrationFactory(page=page, message=SECRET)


def test_development_uses_its_key_and_the_check_warns(page, settings):
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = None
    settings.DEBUG = True
    registration = RegistrationFactory(page=page, message=SECRET)
    assert Registration.objects.get(pk=registration.pk).message == SECRET
    ids = [message.id for message in run_checks()]
    assert "wagtail_selvhjelp.W002" in ids


def test_the_system_check_fails_without_a_key_in_production(settings):
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    ids = [message.id for message in run_checks()]
    assert "wagtail_selvhjelp.E001" in ids
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = ["not-a-key"]
    assert "wagtail_selvhjelp.E002" in [message.id for message in run_checks()]


@pytest.mark.parametrize("position", [0, 1])
def test_the_development_key_in_production_is_an_error(settings, position):
    keys = [Fernet.generate_key()]
    keys.insert(position, encryption.DEVELOPMENT_KEY.decode())
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = keys
    settings.DEBUG = False
    assert "wagtail_selvhjelp.E020" in [message.id for message in run_checks()]
    settings.DEBUG = True
    assert "wagtail_selvhjelp.E020" not in [message.id for message in run_checks()]


def test_rotation_re_encrypts_every_row_and_resumes(page, settings, group_a=None):
    from wagtail_selvhjelp.models import SelfHelpGroup

    old = settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS[0]
    people = [RegistrationFactory(page=page, message=f"{SECRET} {n}") for n in range(5)]
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gruppe",
        place=page.places.first(),
        time_slot=page.time_slots.first(),
    )
    GroupMembership.objects.create(
        group=group, registration=people[0], override_reason="Har bil"
    )
    before = {person.pk: raw(person, "message") for person in people}

    new = Fernet.generate_key().decode()
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("selvhjelp_rotate_keys", "--batch-size", "2", stdout=out)
    assert "wagtail_selvhjelp.Registration: 5 rows re-encrypted" in out.getvalue()
    assert "wagtail_selvhjelp.GroupMembership: 1 rows re-encrypted" in out.getvalue()
    for person in people:
        assert raw(person, "message") != before[person.pk]

    # Run again (as after an interruption): nothing left to do.
    out = StringIO()
    call_command("selvhjelp_rotate_keys", stdout=out)
    assert "0 rows re-encrypted, 5 already current" in out.getvalue()

    # The old key can go: everything reads with the new one alone.
    settings.WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = [new]
    assert sorted(Registration.objects.values_list("message", flat=True)) == sorted(
        f"{SECRET} {n}" for n in range(5)
    )
    assert GroupMembership.objects.get().override_reason == "Har bil"


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_reverses(home_page):
    from django.db.migrations.executor import MigrationExecutor

    before = [("wagtail_selvhjelp", "0004_groups")]
    after = [("wagtail_selvhjelp", "0005_encrypt_free_texts")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        page_model = old_apps.get_model("wagtailcore", "Page")
        consent = old_apps.get_model("wagtail_selvhjelp", "ConsentText").objects.create(
            sha256="x" * 64, text="Ja"
        )
        registration = old_apps.get_model(
            "wagtail_selvhjelp", "Registration"
        ).objects.create(
            page=page_model.objects.get(pk=home_page.pk),
            name="Gammel",
            birth_year=1970,
            consent_given_at="2026-01-01T00:00:00Z",
            consent_text=consent,
            message=SECRET,
            avoid_text="",
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert raw(registration, "message").startswith(encryption.PREFIX)
        assert raw(registration, "avoid_text") == ""
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert raw(registration, "message") == SECRET
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
