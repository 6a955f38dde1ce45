"""The audit trail's vocabulary: every log action the package writes.

One table, so that an action (``models/actions.py``) and the admin's history
name the same entry, and ``wagtail_hooks`` registers them all in one loop. A
test parses the package for every ``log()`` call and every action's
``log_action`` and fails when a name is not in :data:`LOG_ACTIONS`.

Entries hold ids, codes and counts only: their ``data`` never holds a name,
contact detail or answer, and a registration's label is its number.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LogAction:
    """A log action: its code, its label in filters, its message in the history."""

    code: str
    label: str
    message: str


STATUS = LogAction(
    "wagtail_selvhjelp.status",
    _("Change registration status"),
    _("Registration status changed"),
)

AVOID_LINK = LogAction(
    "wagtail_selvhjelp.avoid_link",
    _("Link an avoid pair"),
    _("Linked with a registration they must never share a group with"),
)

AVOID_UNLINK = LogAction(
    "wagtail_selvhjelp.avoid_unlink",
    _("Remove an avoid pair"),
    _("Avoid link removed"),
)

EXPORT = LogAction(
    "wagtail_selvhjelp.export",
    _("Export registrations"),
    _("Registrations exported"),
)

PLACE = LogAction(
    "wagtail_selvhjelp.place",
    _("Place a member"),
    _("Member placed in the group"),
)

REMOVE = LogAction(
    "wagtail_selvhjelp.remove",
    _("Remove a member"),
    _("Member left the group"),
)

OVERRIDE = LogAction(
    "wagtail_selvhjelp.override",
    _("Override a mismatch"),
    _("Member placed despite a mismatch, with a recorded reason"),
)

GROUP_STATUS = LogAction(
    "wagtail_selvhjelp.group_status",
    _("Change group status"),
    _("Group status changed"),
)

MATCH_RUN = LogAction(
    "wagtail_selvhjelp.match_run",
    _("Propose groups"),
    _("Groups proposed"),
)

VIEW = LogAction(
    "wagtail_selvhjelp.view",
    _("View a registration"),
    _("Registration viewed"),
)

ACCESS_EXPORT = LogAction(
    "wagtail_selvhjelp.access_export",
    _("Export a person's data"),
    _("A person's data exported (right of access)"),
)
ERASE = LogAction(
    "wagtail_selvhjelp.erase",
    _("Erase a person"),
    _("Person erased: the registration and everything linked to it deleted"),
)

MENTION_REDACT = LogAction(
    "wagtail_selvhjelp.mention_redact",
    _("Redact a mention of a person being erased"),
    _("A name, e-mail or phone number of someone being erased removed from this text"),
)

MENTION_KEEP = LogAction(
    "wagtail_selvhjelp.mention_keep",
    _("Keep a mention of a person being erased"),
    _("A text naming someone being erased kept, with a recorded reason"),
)

CONFIRM = LogAction(
    "wagtail_selvhjelp.confirm",
    _("Record a re-confirmation"),
    _("Recorded that the person still wants a group"),
)

SELF_CONFIRM = LogAction(
    "wagtail_selvhjelp.self_confirm",
    _("Re-confirm on the self-service page"),
    _("The person confirmed on their self-service page that they still want a group"),
)

SELF_CHANGE_CHOICES = LogAction(
    "wagtail_selvhjelp.self_change_choices",
    _("Change places and times on the self-service page"),
    _("The person changed their places and times on their self-service page"),
)

SELF_WITHDRAW = LogAction(
    "wagtail_selvhjelp.self_withdraw",
    _("Withdraw on the self-service page"),
    _("The person withdrew on their self-service page; the registration is deleted"),
)

PURGE = LogAction(
    "wagtail_selvhjelp.purge",
    _("Apply the retention rules"),
    _("Retention purge ran"),
)

CREATE_GROUPS = LogAction(
    "wagtail_selvhjelp.create_groups",
    _("Create groups from a proposal"),
    _("Groups created from a proposal"),
)

MEETING_CHANGE = LogAction(
    "wagtail_selvhjelp.meeting_change",
    _("Change a group's meetings"),
    _("The group's meeting time, place or rhythm changed"),
)

STARTER_ASSIGN = LogAction(
    "wagtail_selvhjelp.starter_assign",
    _("Give a group a starter"),
    _("Starter assigned to the group"),
)

STARTER_WITHDRAW = LogAction(
    "wagtail_selvhjelp.starter_withdraw",
    _("Record a starter's withdrawal"),
    _("Starter withdrew from the group"),
)

STARTER_STATUS = LogAction(
    "wagtail_selvhjelp.starter_status",
    _("Change a starter's status"),
    _("Starter status changed"),
)

STARTER_ERASE = LogAction(
    "wagtail_selvhjelp.starter_erase",
    _("Erase a starter"),
    _("Starter erased: their data and courses deleted, their groups kept without them"),
)

STARTER_ACCESS_EXPORT = LogAction(
    "wagtail_selvhjelp.starter_access_export",
    _("Export a starter's data"),
    _("A starter's data exported (right of access)"),
)

INVITE = LogAction(
    "wagtail_selvhjelp.invite",
    _("Invite the members"),
    _("Members invited to the group"),
)

OFFER_ACCEPT = LogAction(
    "wagtail_selvhjelp.offer_accept",
    _("Accept an offer"),
    _("The person accepted the offer of a place"),
)

OFFER_DECLINE = LogAction(
    "wagtail_selvhjelp.offer_decline",
    _("Decline an offer"),
    _("The person declined the offer of a place"),
)

OFFER_REMIND = LogAction(
    "wagtail_selvhjelp.offer_remind",
    _("Remind of an offer"),
    _("A reminder of the offer was sent"),
)

OFFER_EXPIRE = LogAction(
    "wagtail_selvhjelp.offer_expire",
    _("Expire an offer"),
    _("The offer expired without an answer"),
)

OFFER_WITHDRAW = LogAction(
    "wagtail_selvhjelp.offer_withdraw",
    _("Take back an offer"),
    _("The coordinator took the offer back"),
)

BACKFILL = LogAction(
    "wagtail_selvhjelp.backfill",
    _("Offer a freed place"),
    _("A freed place was offered to the next eligible person"),
)

MEMBER_ABSENT = LogAction(
    "wagtail_selvhjelp.member_absent",
    _("A member cannot come"),
    _("A member said through their own link that they cannot come next time"),
)

FOLLOW_UP_SENT = LogAction(
    "wagtail_selvhjelp.follow_up_sent",
    _("Send the follow-up"),
    _("The anonymous follow-up was sent to the group's members"),
)

FOLLOW_UP_ANSWER = LogAction(
    "wagtail_selvhjelp.follow_up_answer",
    _("Answer the follow-up"),
    _("An anonymous answer to the follow-up was counted"),
)

CONTACTS_VIEW = LogAction(
    "wagtail_selvhjelp.contacts_view",
    _("View members' contact details"),
    _("The group's members' contact details were viewed"),
)

CONTACT_LIST = LogAction(
    "wagtail_selvhjelp.contact_list",
    _("Print the contact list"),
    _("The group's contact list for phone calls was opened"),
)


#: Every log action of the package, registered by ``wagtail_hooks``.
LOG_ACTIONS = (
    STATUS,
    AVOID_LINK,
    AVOID_UNLINK,
    EXPORT,
    PLACE,
    REMOVE,
    OVERRIDE,
    GROUP_STATUS,
    MATCH_RUN,
    VIEW,
    ACCESS_EXPORT,
    ERASE,
    MENTION_REDACT,
    MENTION_KEEP,
    CONFIRM,
    SELF_CONFIRM,
    SELF_CHANGE_CHOICES,
    SELF_WITHDRAW,
    PURGE,
    CREATE_GROUPS,
    MEETING_CHANGE,
    STARTER_ASSIGN,
    STARTER_WITHDRAW,
    STARTER_STATUS,
    STARTER_ERASE,
    STARTER_ACCESS_EXPORT,
    INVITE,
    OFFER_ACCEPT,
    OFFER_DECLINE,
    OFFER_REMIND,
    OFFER_EXPIRE,
    OFFER_WITHDRAW,
    BACKFILL,
    MEMBER_ABSENT,
    FOLLOW_UP_SENT,
    FOLLOW_UP_ANSWER,
    CONTACTS_VIEW,
    CONTACT_LIST,
)


def register(actions):
    """Register :data:`LOG_ACTIONS` with Wagtail's log action registry."""
    for action in LOG_ACTIONS:
        actions.register_action(action.code, action.label, action.message)
