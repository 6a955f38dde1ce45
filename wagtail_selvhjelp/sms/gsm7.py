"""The GSM 03.38 7-bit alphabet, which decides what fits in one SMS.

One SMS holds 160 characters of this alphabet; a single character outside
it (a curly quote, an en dash) turns the whole message into UCS-2, where
one SMS holds only 70. The extension characters (``€``, ``[`` …) take two
places. Norwegian letters (æ, ø, å and their capitals) are in the basic set.
"""

#: Characters of a single SMS in the 7-bit alphabet.
SINGLE_SMS_LENGTH = 160

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"


def gsm7_length(text):
    """Places ``text`` takes in the 7-bit alphabet, or None if it does not fit it."""
    length = 0
    for character in text:
        if character in BASIC:
            length += 1
        elif character in EXTENSION:
            length += 2
        else:
            return None
    return length
