import re


def token_from(response):
    """The signed one-time token of a rendered registration form."""
    return token_from_html(response.content.decode())


def token_from_html(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)
