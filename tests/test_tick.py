"""``selvhjelp_tick``: every periodic job from one timer, idempotent, counts only."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from wagtail_selvhjelp.management.commands import selvhjelp_offers
from wagtail_selvhjelp.models import FollowUp, PurgeRun

from .factories import make_registration_page
from .test_follow_up import started_group


pytestmark = pytest.mark.django_db


@pytest.fixture
def page(section):
    return make_registration_page(section)


def tick():
    out, err = StringIO(), StringIO()
    call_command("selvhjelp_tick", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_tick_runs_every_job_and_a_second_changes_nothing(page):
    group, people = started_group(page)
    mail.outbox.clear()
    out, err = tick()
    assert err == ""
    assert "selvhjelp_offers:" in out and "0  offers expired" in out
    assert "1  groups followed up" in out
    assert "selvhjelp_purge:" in out
    assert "withdrawn or spam registrations deleted" in out
    assert FollowUp.objects.get().group == group
    assert len(mail.outbox) == len(people)
    assert PurgeRun.objects.count() == 1
    # Counts only: nobody's name or address.
    assert not any(person.email in out or person.name in out for person in people)

    mail.outbox.clear()
    out, _err = tick()
    assert "0  groups followed up" in out
    assert "skipped: ran today" in out
    assert mail.outbox == []
    assert FollowUp.objects.count() == 1
    assert PurgeRun.objects.count() == 1


def test_a_failing_job_keeps_the_others_running_and_fails_the_tick(page, monkeypatch):
    started_group(page)

    def broken(*args, **kwargs):
        raise RuntimeError("nobody@example.test")

    monkeypatch.setattr(selvhjelp_offers, "settle_offers", broken)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="selvhjelp_offers"):
        call_command("selvhjelp_tick", stdout=out, stderr=err)
    assert "1  groups followed up" in out.getvalue()
    assert PurgeRun.objects.count() == 1
    assert "selvhjelp_offers failed: RuntimeError" in err.getvalue()
    assert "nobody@example.test" not in out.getvalue() + err.getvalue()
