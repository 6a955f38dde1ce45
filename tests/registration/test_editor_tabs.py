"""The registration page's editor groups what belongs together (issue 18,
item 16): places, time slots and topics sit on the "Registration" tab with
the other registration settings, not among the page's texts."""

from wagtail.admin.panels import InlinePanel

from wagtail_selvhjelp.models import GroupRegistrationPage


def _inline_relations(panel):
    found = []
    for child in getattr(panel, "children", []):
        if isinstance(child, InlinePanel):
            found.append(child.relation_name)
        found.extend(_inline_relations(child))
    return found


def test_choices_are_on_the_registration_tab():
    tabs = GroupRegistrationPage.get_edit_handler().children
    content, registration = tabs[0], tabs[1]
    assert _inline_relations(registration) == ["places", "time_slots", "topics"]
    assert _inline_relations(content) == []
