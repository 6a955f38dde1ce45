"""Phone numbers: parse what people type, store E.164, show Norwegian grouping.

Numbers are parsed with region ``NO``, so "968 51 295", "96851295" and
"+47 968 51 295" are the same number. Foreign numbers are accepted when they
are written with their country code ("+46 …").
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


DEFAULT_REGION = "NO"

#: Longer than any real phone number with spacing; guards the parser.
MAX_INPUT_LENGTH = 40


def normalise_phone(value):
    """Return ``value`` as an E.164 string, or raise ``ValidationError``."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MAX_INPUT_LENGTH:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "Enter a valid phone number, such as 912 34 567 or, for a number "
                "outside Norway, +46 8 123 456 78."
            ),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164):
    """Show a stored number: Norwegian grouping for +47, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        digits = phonenumbers.national_significant_number(number)
        if len(digits) == 8 and digits[0] in "4589":
            # Mobile and service numbers are written 3-2-3 in Norway
            # ("968 51 295"); libphonenumber groups mobiles 2-2-2-2.
            return f"{digits[:3]} {digits[3:5]} {digits[5:]}"
        if len(digits) == 8:
            return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
        return phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        )
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
