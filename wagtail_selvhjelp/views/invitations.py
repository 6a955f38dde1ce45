"""The invitation round on the group's page: the board and its buttons.

The board (``admin/groups/invitations.html``, included by the group's
members page) shows each member's offer and the time left, the yeses against
the page's minimum size, "ready to start" once enough have accepted, and for
each freed seat the engine's next eligible waiting person with the reason.
Its buttons post to :class:`GroupInvitationsView`, which runs the actions
(``models/invitation_actions.py``); the messages are rendered by the
worker, never in the request.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views import View
from wagtail.admin.auth import permission_denied

from ..choices import FREED_OFFER_STATES, GroupStatus, OfferState
from ..http import parse_id
from ..models import Offer
from ..models.invitation_actions import (
    Backfill,
    Invite,
    WithdrawOffer,
    proposals_for_seats,
)
from ..notifications import OfferMessage, get_registration, person_channel


#: Offer states that hold a seat, shown first on the board.
HOLDING = (OfferState.OFFERED, OfferState.ACCEPTED)


def invitation_board(group, page, *, can_change, url_name=None):
    """The board's context for ``group`` (its registration page ``page``);
    its buttons post to the URL named ``url_name``.

    A constant number of queries, plus one per member who can be reached
    by neither e-mail nor SMS (their text to read out).
    """
    offers = list(
        group.offers.select_related("registration").order_by("created_at", "pk")
    )
    now = timezone.now()
    accepted = sum(1 for offer in offers if offer.state == OfferState.ACCEPTED)
    held = {offer.registration_id for offer in offers if offer.state in HOLDING}
    uninvited = group.is_open and any(
        m.registration_id not in held for m in group.current_memberships()
    )
    rows = []
    for offer in offers:
        read_out = ""
        if offer.state == OfferState.OFFERED and offer.sent_at is None:
            if person_channel(offer.registration, OfferMessage.channels) is None:
                read_out = _read_out(offer)
        rows.append(
            {
                "offer": offer,
                "time_left": offer.time_left(now)
                if offer.state == OfferState.OFFERED
                else None,
                "read_out": read_out,
            }
        )
    seats = (
        proposals_for_seats(group)
        if can_change and group.status == GroupStatus.FORMING
        else []
    )
    return {
        "url": reverse(url_name, args=[group.pk]) if url_name else "",
        "rows": rows,
        "accepted": accepted,
        "minimum": page.group_min_size,
        "ready": bool(offers) and accepted >= page.group_min_size,
        "can_invite": can_change and group.status == GroupStatus.FORMING and uninvited,
        "can_change": can_change and group.status == GroupStatus.FORMING,
        "seats": seats,
    }


def _read_out(offer):
    registration = get_registration(offer.registration_id)
    return OfferMessage(registration, offer).read_out()


class GroupInvitationsView(View):
    """POST only: invite the members, take an offer back, or refill a seat."""

    http_method_names = ["post"]
    permission_policy = None
    members_url_name = None

    def dispatch(self, request, pk):
        policy = self.permission_policy
        if not policy.user_has_permission(request.user, "change"):
            return permission_denied(request)
        self.group = get_object_or_404(
            policy.instances_user_has_permission_for(request.user, "change"),
            pk=pk,
        )
        return super().dispatch(request, pk)

    def post(self, request, pk):
        action = request.POST.get("action")
        try:
            if action == "invite":
                self.invite(request)
            elif action == "withdraw":
                self.withdraw(request)
            elif action == "backfill":
                self.backfill(request)
            else:
                messages.error(request, gettext("Nothing was changed."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(self.members_url_name, self.group.pk)

    def invite(self, request):
        offers = Invite([self.group], user=request.user).execute()
        if not offers:
            messages.warning(request, gettext("Every member has already been invited."))
            return
        report_sent(request, offers)

    def _offer(self, request, states):
        return get_object_or_404(
            Offer,
            pk=parse_id(request.POST.get("offer", "")) or 0,
            group=self.group,
            state__in=states,
        )

    def withdraw(self, request):
        offer = self._offer(request, HOLDING)
        WithdrawOffer(offer, user=request.user).execute()
        messages.success(
            request,
            gettext(
                "The offer to %(registration)s is taken back; they wait for a "
                "group again."
            )
            % {"registration": offer.registration},
        )

    def backfill(self, request):
        seat = self._offer(request, FREED_OFFER_STATES)
        expected = parse_id(request.POST.get("registration", ""))
        try:
            offer = Backfill(seat, expected=expected, user=request.user).execute()
        except IntegrityError:
            raise ValidationError(
                gettext(
                    "That person was placed or invited elsewhere meanwhile. "
                    "The group's page now shows who is next."
                )
            ) from None
        messages.success(
            request,
            gettext("The place is offered to %(registration)s.")
            % {"registration": offer.registration},
        )


def report_sent(request, offers):
    """Tell the coordinator how many invitations are on their way."""
    messages.success(
        request,
        ngettext(
            "%(count)s invitation is being sent.",
            "%(count)s invitations are being sent.",
            len(offers),
        )
        % {"count": len(offers)},
    )
