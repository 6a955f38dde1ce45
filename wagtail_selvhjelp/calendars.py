"""A group's meetings as a calendar file (iCalendar, RFC 5545 and 5546).

One event per group, identified by the group's own made-up identifier
(``calendar_uid``, never derived from anyone's data), so that an update
replaces the entry in the members' calendars instead of adding a second one;
its ``SEQUENCE`` is the group's ``calendar_sequence``, which the
``ChangeMeeting`` action raises on every change. A group that meets weekly
or fortnightly gets a repeating rule from the first meeting on.

The file is a ``METHOD:REQUEST`` invitation in Norwegian time
(Europe/Oslo, with its ``VTIMEZONE``), marked ``CLASS:PRIVATE``. It names
the meeting ("Group meeting" in the caller's active language), the venue
and the place, and says that deleting the entry does not take you out of
the group; it never names the group's topic, nor anyone but the recipient,
whose own address is the one ``ATTENDEE`` (without a name).

A plain module: it reads the attributes of the group it is given and
imports no model.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from .choices import MeetingFrequency


#: Meetings are held, and written, in Norwegian time.
TIMEZONE = ZoneInfo("Europe/Oslo")

#: How many years of the zone's rules the file carries (its size grows with them).
TIMEZONE_YEARS = 5

PRODID = "-//wagtail-selvhjelp//Group meetings//EN"

#: The repeating rule for each regular rhythm.
RULES = {
    MeetingFrequency.WEEKLY: {"FREQ": "WEEKLY"},
    MeetingFrequency.FORTNIGHTLY: {"FREQ": "WEEKLY", "INTERVAL": 2},
}

CONTENT_TYPE = "text/calendar; method=REQUEST; charset=utf-8"
FILENAME = "invite.ics"


def uid(group):
    """The event's UID: the group's identifier, the same in every update."""
    return f"{group.calendar_uid}@wagtail-selvhjelp"


def first_meeting_start(group):
    """The first meeting's start in Norwegian time, or None if not set."""
    if not (group.first_meeting_date and group.first_meeting_time):
        return None
    return datetime.datetime.combine(
        group.first_meeting_date, group.first_meeting_time, tzinfo=TIMEZONE
    )


def description(group):
    """The event's text: where and when in the page's words, and what
    deleting the entry does not do. No topic, no names."""
    lines = [
        gettext("Self-help group: %(place)s, %(time_slot)s.")
        % {"place": group.place.name, "time_slot": group.time_slot.name},
        gettext(
            "Deleting this calendar entry does not take you out of the group. "
            "If you cannot come, or want to leave, tell the group or the "
            "contact point."
        ),
    ]
    return "\n".join(lines)


def build(group, *, organizer, attendee=None, site_name=""):
    """The group's meetings as iCalendar bytes, or None without a first meeting.

    ``organizer`` is the address the invitation comes from (the site's
    sender), ``attendee`` the recipient's own e-mail address. Render it in
    the registration page's language: the summary and description use the
    active one.
    """
    start = first_meeting_start(group)
    if start is None:
        return None
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid(group))
    event.add("sequence", group.calendar_sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=group.meeting_minutes))
    rule = RULES.get(group.meeting_frequency)
    if rule:
        event.add("rrule", rule)
    event.add("summary", gettext("Group meeting"))
    event.add("description", description(group))
    event.add("location", group.venue or group.place.name)
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    event.add("status", "CONFIRMED")
    organizer_address = vCalAddress(f"mailto:{organizer}")
    if site_name:
        organizer_address.params["cn"] = vText(site_name)
    event.add("organizer", organizer_address)
    if attendee:
        attendee_address = vCalAddress(f"mailto:{attendee}")
        attendee_address.params["role"] = vText("REQ-PARTICIPANT")
        attendee_address.params["partstat"] = vText("NEEDS-ACTION")
        attendee_address.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee_address)
    calendar.add_component(event)
    # The zone's rules for the years the meetings may run, not since 1970.
    calendar.add_missing_timezones(
        first_date=datetime.date(start.year, 1, 1),
        last_date=datetime.date(start.year + TIMEZONE_YEARS, 12, 31),
    )
    return calendar.to_ical()
