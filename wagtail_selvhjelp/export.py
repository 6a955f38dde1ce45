"""Spreadsheet export of registrations, safe to open in a spreadsheet program.

A value someone typed into the public form must never run as a formula when
a coordinator opens the file (CSV injection): in CSV, a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe; in XLSX every user-supplied value is written as a string cell
(Wagtail's exporter already turns would-be formulas back into strings).
"""

import re

from django.utils.translation import gettext_lazy as _


#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_csv(value):
    """``value`` as text that no spreadsheet program runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


#: What an XLSX file cannot hold: C0 control characters (but tab, newline and
#: carriage return) and the noncharacters U+FFFE and U+FFFF. openpyxl refuses
#: the first and writes the second into a file Excel cannot open.
XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_xlsx(value):
    """``value`` as text an XLSX cell can hold (illegal characters dropped)."""
    text = "" if value is None else str(value)
    return XLSX_ILLEGAL.sub("", text)


#: Columns every export has: no free texts, nothing health-related.
BASIC_FIELDS = [
    "pk",
    "page.title",
    "created_at",
    "days_waiting",
    "status_label",
    "name",
    "email",
    "phone_display",
    "birth_year",
    "place_names",
    "time_slot_names",
    "group_kind_label",
    "possible_duplicate",
]

#: Added for users who may also export answers (``export_registration_answers``).
ANSWER_FIELDS = [
    "topic_names",
    "gender_label",
    "single_gender",
    "avoid_text",
    "access_needs",
    "message",
    "coordinator_notes",
]

HEADINGS = {
    "pk": _("Number"),
    "page.title": _("Registration page"),
    "created_at": _("Registered"),
    "days_waiting": _("Days waiting"),
    "status_label": _("Status"),
    "name": _("Name"),
    "email": _("E-mail"),
    "phone_display": _("Phone"),
    "birth_year": _("Birth year"),
    "place_names": _("Places"),
    "time_slot_names": _("Time slots"),
    "group_kind_label": _("Group wanted"),
    "possible_duplicate": _("Possible duplicate"),
    "topic_names": _("Topics"),
    "gender_label": _("Gender"),
    "single_gender": _("Wants a single-gender group"),
    "avoid_text": _("Should not be grouped with"),
    "access_needs": _("Needs for the meeting place"),
    "message": _("Anything else"),
    "coordinator_notes": _("Coordinator notes"),
}
