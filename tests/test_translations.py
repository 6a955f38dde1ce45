"""The nb and nn catalogues are complete and compiled."""

from pathlib import Path

import polib
import pytest


LOCALE = Path(__file__).resolve().parent.parent / "wagtail_selvhjelp" / "locale"


@pytest.fixture(params=["nb", "nn"])
def catalogue(request):
    path = LOCALE / request.param / "LC_MESSAGES"
    return polib.pofile(str(path / "django.po")), polib.mofile(str(path / "django.mo"))


def test_every_message_is_translated(catalogue):
    po, _mo = catalogue
    assert len(po) > 0
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_compiled_catalogue_matches_the_source(catalogue):
    po, mo = catalogue

    def entries(catalogue):
        return {
            (entry.msgctxt, entry.msgid): (
                entry.msgstr,
                tuple(sorted(entry.msgstr_plural.items())),
            )
            for entry in catalogue
            if not entry.obsolete and "fuzzy" not in entry.flags
        }

    assert entries(mo) == entries(po), "run `make messages` to recompile the .mo files"


def test_placeholders_survive_translation(catalogue):
    po, _mo = catalogue
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in po.translated_entries():
        expected = sorted(pattern.findall(entry.msgid))
        translations = (
            [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        )
        for translation in translations:
            assert sorted(pattern.findall(translation)) == expected or (
                entry.msgid_plural
                and set(pattern.findall(translation))
                <= set(expected + pattern.findall(entry.msgid_plural))
            ), entry.msgid
