from django import template

from ..phone import format_phone


register = template.Library()


@register.inclusion_tag("wagtail_selvhjelp/includes/contact_point.html")
def selvhjelp_contact_point(contact_point, heading_tag="h3"):
    """Render one contact point's card: ``{% selvhjelp_contact_point cp %}``.

    ``heading_tag`` sets the level of the card's heading (``"h2"``–``"h4"``) so
    it fits the outline of the page it is placed on.
    """
    if heading_tag not in {"h2", "h3", "h4", "h5", "h1"}:
        heading_tag = "h3"
    return {"contact_point": contact_point, "heading_tag": heading_tag}


@register.filter
def phone_display(value):
    """Show an E.164 number the Norwegian way: ``{{ number|phone_display }}``."""
    return format_phone(value)
