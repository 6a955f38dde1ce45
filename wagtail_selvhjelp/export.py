"""Spreadsheet export of registrations, safe to open in a spreadsheet program.

A value someone typed into the public form must never run as a formula when
a coordinator opens the file (CSV injection): in CSV, a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, and so does such a character after a comma, a semicolon or a
line break inside the value, since a spreadsheet program with another list
separator (Excel with Norwegian settings reads ``;``) or one that ignores the
quotes splits the value there; every CSV cell is quoted
(:data:`CSV_QUOTING`). In XLSX every user-supplied value is written as a
string cell (Wagtail's exporter already turns would-be formulas back into
strings).
"""

import csv
import re

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


#: Quote every CSV cell, so a reader that honours quotes never splits one.
CSV_QUOTING = csv.QUOTE_ALL

#: A formula's first character after a place where some reader starts a new
#: cell (a comma, a semicolon, a line break), spaces allowed in between.
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\r\n])(\s*[=+\-@])")


def neutralise_csv(value):
    """``value`` as text that no spreadsheet program runs as a formula.

    Whatever list separator the reader splits on: an apostrophe goes before
    a formula character at the start and after every comma, semicolon or
    line break.
    """
    text = "" if value is None else str(value)
    text = FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", text)
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


def local_time(value):
    """A moment as the coordinator's wall clock shows it, to the second
    (an XLSX date cell holds no time zone)."""
    return timezone.localtime(value).replace(microsecond=0, tzinfo=None)


def local_time_text(value):
    """A moment as text for a CSV cell: ``2026-01-01 00:30:15``, local time."""
    return local_time(value).isoformat(sep=" ")


def yes_no(value):
    """A flag in words in the user's language, not ``True``/``False``."""
    return gettext("Yes") if value else gettext("No")


#: Headings of the columns that are no model field; the others are named by
#: their field's ``verbose_name``.
HEADINGS = {
    "pk": _("Number"),
    "days_waiting": _("Days waiting"),
}


def columns(model, *, with_answers):
    """The attributes a spreadsheet of ``model`` shows, in order.

    The columns of ``model.export_fields``: without ``with_answers`` those
    that are not sensitive (no free texts, nothing health-related), with it
    the sensitive ones after them.
    """
    basic = [name for name in model.export_fields if name not in model.sensitive_fields]
    answers = [name for name in model.export_fields if name in model.sensitive_fields]
    names = [*basic, *answers] if with_answers else basic
    return [model.export_values.get(name, name) for name in names]


def headings(model):
    """{column attribute: heading} for every column of ``model``'s spreadsheets."""
    result = {}
    for name in model.export_fields:
        attribute = model.export_values.get(name, name)
        if name in HEADINGS:
            result[attribute] = HEADINGS[name]
        else:
            result[attribute] = capfirst(model._meta.get_field(name).verbose_name)
    return result
