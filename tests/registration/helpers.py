import re


def token_from(response):
    """The signed one-time token of a rendered registration form."""
    return re.search(
        r'name="form_token" value="([^"]+)"', response.content.decode()
    ).group(1)
