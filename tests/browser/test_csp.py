"""The strict Content-Security-Policy of public pages blocks nothing they need.

``tests/test_example_site_security.py`` checks the headers and the HTML;
here a real browser enforces the policy on every public page of the demo,
and any blocked script, style, image or form target fails the test. The
form flows in ``test_citizen.py`` run under the same policy.
"""

import pytest

from .helpers import crawl


pytestmark = pytest.mark.browser


def test_no_csp_violation_on_any_public_page(open_context, demo, live_server):
    context, problems = open_context()
    page = context.new_page()
    visited = crawl(page, live_server.url, lambda page, response: None)
    assert len(visited) >= 7
    page.goto(demo.directory.url + "?municipality=Elvedal")
    assert page.goto("/finnes-ikke/").status == 404
    problems.assert_none(page)


def test_the_watch_sees_a_csp_violation_and_a_script_error(open_context, home_page):
    """The watch is not blind: an inline script and a thrown error are caught."""
    context, problems = open_context()
    page = context.new_page()
    page.goto(home_page.url)
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ranInline = true";
            document.body.append(script);
            setTimeout(() => { throw new Error("boom"); });
        }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.ranInline") is None
    with pytest.raises(AssertionError) as failure:
        problems.assert_none(page)
    assert "Content Security Policy" in str(failure.value)
    assert "boom" in str(failure.value)
