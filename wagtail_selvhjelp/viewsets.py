"""Admin viewsets: configured here, registered in ``wagtail_hooks.py``."""

from django import forms
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import (
    Column,
    LiveStatusTagColumn,
    UpdatedAtColumn,
)
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_forms import (
    ContactPointForm,
    MunicipalityInput,
    SelfHelpGroupForm,
    SiteScopedForm,
    StarterForm,
)
from .admin_urls import (
    GROUP_VIEWSET_NAME,
    MATCHING_VIEWSET_NAME,
    PRIVACY_VIEWSET_NAME,
    REGISTRATION_VIEWSET_NAME,
    STARTER_VIEWSET_NAME,
    STATISTICS_VIEWSET_NAME,
)
from .filters import RegistrationFilterSet, SelfHelpGroupFilterSet
from .models import (
    ContactPoint,
    Registration,
    SelfHelpGroup,
    Starter,
    StarterKitText,
)
from .models.permissions import (
    contact_point_permission_policy,
    group_permission_policy,
    registration_permission_policy,
    starter_kit_text_permission_policy,
    starter_permission_policy,
)
from .views.group_life import ContactListView, EndGroupView, RemoveMemberView
from .views.groups import (
    GroupMembersView,
    SelfHelpGroupCreateView,
    SelfHelpGroupEditView,
    SelfHelpGroupIndexView,
)
from .views.invitations import GroupInvitationsView
from .views.matching import (
    MatchingIndexView,
    MatchingPageView,
    MatchingRunView,
)
from .views.meetings import StarterKitView, StartGroupView
from .views.privacy import (
    ConfirmWaitingView,
    EraseMentionView,
    EraseView,
    PersonDataView,
    RegistrationDeleteView,
)
from .views.registrations import (
    AvoidPairView,
    RegistrationBulkStatusView,
    RegistrationEditView,
    RegistrationIndexView,
    RegistrationInspectView,
)
from .views.reports import (
    GroupStatisticsReportView,
    LanguageReportView,
    PrivacyOverviewView,
    StatisticsReportView,
)
from .views.scoping import ScopedDeleteView, ScopedHistoryView, ScopedUsageView
from .views.site_scoping import (
    CHANGING,
    SiteScopedChooserViewSet,
    visible_to,
    within_sites,
)
from .views.starters import (
    GroupStartersView,
    StarterDataView,
    StarterDeleteView,
    StarterEditView,
    StarterIndexView,
)


class SiteScopedSnippetViewSet(SnippetViewSet):
    """A snippet that belongs to a municipality (a site): listed, chosen and
    opened only within the sites the user works for (``views/site_scoping``),
    changed as the site-scoped permission policy allows."""

    chooser_viewset_class = SiteScopedChooserViewSet

    def get_queryset(self, request):
        return visible_to(request, self.model).order_by(*self.ordering)

    def construct_view(self, view_class, **kwargs):
        changes = getattr(view_class, "permission_required", None) in CHANGING
        return within_sites(
            super().construct_view(view_class, **kwargs), self.model, changes=changes
        )


class ContactPointViewSet(SiteScopedSnippetViewSet):
    model = ContactPoint
    permission_policy = contact_point_permission_policy
    icon = "group"
    menu_label = _("Contact points")
    menu_order = 300
    ordering = ["municipality", "sort_order", "organisation"]
    list_filter = ["kind", "municipality", "site", "live"]
    list_display = [
        "__str__",
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column(
            "municipality", label=_("Municipality or area"), sort_key="municipality"
        ),
        Column("site", label=_("Site"), accessor="site_label"),
        Column("phone", label=_("Phone"), accessor="phone_display"),
        UpdatedAtColumn(),
        LiveStatusTagColumn(),
    ]
    copy_view_enabled = True
    inspect_view_enabled = True
    #: Listed in the "Self-help" menu, so not again under "Snippets".
    menu_item_is_registered = True

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("organisation"),
                    FieldPanel("kind"),
                    FieldPanel("municipality", widget=MunicipalityInput),
                    FieldPanel("sort_order"),
                ],
                heading=_("Organisation and area"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("site"),
                    FieldPanel(
                        "shared_with_sites", widget=forms.CheckboxSelectMultiple
                    ),
                ],
                heading=_("Which sites show it"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("contact_person"), FieldPanel("role")]),
                    FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                    FieldPanel("website"),
                    FieldPanel("address"),
                    FieldPanel("opening_hours"),
                ],
                heading=_("How to get in touch"),
            ),
        ],
        base_form_class=ContactPointForm,
    )


class StarterKitTextViewSet(SiteScopedSnippetViewSet):
    """A site's own wording of the starter's kit, one per site and language
    (a translatable snippet, so a site with bokmål and nynorsk pages holds
    both)."""

    model = StarterKitText
    permission_policy = starter_kit_text_permission_policy
    edit_handler = ObjectList(StarterKitText.panels, base_form_class=SiteScopedForm)
    ordering = ["site", "locale"]
    icon = "doc-full"
    menu_label = _("Starter's kit texts")
    menu_order = 350
    list_display = ["__str__", "site", "locale"]
    list_filter = ["site", "locale"]
    copy_view_enabled = False
    #: Listed in the "Self-help" menu, so not again under "Snippets".
    menu_item_is_registered = True


class RegistrationViewSet(ModelViewSet):
    """Registrations: listed without health-related answers, read in Inspect.

    Personal data, not editorial content: no copy view, not in the reference
    index, no search index. Coordinators change only the status and their
    own notes.
    """

    model = Registration
    index_view_class = RegistrationIndexView
    inspect_view_class = RegistrationInspectView
    edit_view_class = RegistrationEditView
    delete_view_class = RegistrationDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    permission_policy = registration_permission_policy
    icon = "form"
    menu_label = _("Registrations")
    menu_order = 100
    name = REGISTRATION_VIEWSET_NAME
    url_prefix = "selvhjelp/registrations"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    ordering = ["-created_at"]
    filterset_class = RegistrationFilterSet
    form_fields = ["status", "coordinator_notes"]
    inspect_view_fields = list(Registration.inspect_fields)

    @property
    def bulk_status_view(self):
        # The listing's own filters and search, so "these" means what the
        # coordinator sees in the listing.
        return self.construct_view(
            RegistrationBulkStatusView,
            **{
                **self.get_index_view_kwargs(),
                "template_name": RegistrationBulkStatusView.template_name,
            },
        )

    @property
    def avoid_view(self):
        return self.construct_view(
            AvoidPairView, permission_policy=self.permission_policy
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            bulk_status_url_name=self.get_url_name("bulk_status"),
            avoid_url_name=self.get_url_name("avoid"),
            person_data_url_name=self.get_url_name("person_data"),
            erase_url_name=self.get_url_name("erase"),
            erase_mention_url_name=self.get_url_name("erase_mention"),
            confirm_url_name=self.get_url_name("confirm"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/", self.bulk_status_view, name="bulk_status"),
            path("avoid/<selvhjelp_id:pk>/", self.avoid_view, name="avoid"),
            path(
                "person-data/<selvhjelp_id:pk>/",
                self.construct_view(PersonDataView),
                name="person_data",
            ),
            path(
                "erase/<selvhjelp_id:pk>/",
                self.construct_view(EraseView),
                name="erase",
            ),
            path(
                "erase/<selvhjelp_id:pk>/mention/",
                self.construct_view(EraseMentionView),
                name="erase_mention",
            ),
            path(
                "confirm/<selvhjelp_id:pk>/",
                self.construct_view(ConfirmWaitingView),
                name="confirm",
            ),
        ]


registration_viewset = RegistrationViewSet()


contact_point_viewset = ContactPointViewSet()


class SelfHelpGroupViewSet(ModelViewSet):
    """Self-help groups: created by hand or from the matching workflow.

    The group's page of members is where people are placed and removed;
    every view is scoped to the pages the user coordinates.
    """

    model = SelfHelpGroup
    icon = "group"
    menu_label = _("Groups")
    menu_order = 200
    name = GROUP_VIEWSET_NAME
    url_prefix = "selvhjelp/groups"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = SelfHelpGroupIndexView
    add_view_class = SelfHelpGroupCreateView
    edit_view_class = SelfHelpGroupEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    permission_policy = group_permission_policy
    filterset_class = SelfHelpGroupFilterSet
    ordering = ["-created_at"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("place"), FieldPanel("time_slot")]),
                    FieldRowPanel([FieldPanel("topic"), FieldPanel("gender")]),
                ],
                heading=_("Where, when and for whom"),
            ),
            FieldPanel("status"),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("first_meeting_date"),
                            FieldPanel("first_meeting_time"),
                        ]
                    ),
                    FieldPanel("venue"),
                    FieldRowPanel(
                        [
                            FieldPanel("meeting_frequency"),
                            FieldPanel("meeting_minutes"),
                        ]
                    ),
                ],
                heading=_("Meetings"),
            ),
        ],
        base_form_class=SelfHelpGroupForm,
    )

    @property
    def members_view(self):
        return self.construct_view(
            GroupMembersView, permission_policy=self.permission_policy
        )

    @property
    def start_view(self):
        return self.construct_view(
            StartGroupView, permission_policy=self.permission_policy
        )

    @property
    def kit_view(self):
        return self.construct_view(
            StarterKitView, permission_policy=self.permission_policy
        )

    @property
    def invitations_view(self):
        return self.construct_view(
            GroupInvitationsView, permission_policy=self.permission_policy
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            members_url_name=self.get_url_name("members"),
            start_url_name=self.get_url_name("start"),
            kit_url_name=self.get_url_name("kit"),
            invitations_url_name=self.get_url_name("invitations"),
            remove_member_url_name=self.get_url_name("remove_member"),
            end_url_name=self.get_url_name("end"),
            contact_list_url_name=self.get_url_name("contact_list"),
            registration_inspect_url_name=registration_viewset.get_url_name("inspect"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<selvhjelp_id:pk>/members/", self.members_view, name="members"),
            path("<selvhjelp_id:pk>/start/", self.start_view, name="start"),
            path("<selvhjelp_id:pk>/kit/", self.kit_view, name="kit"),
            path(
                "<selvhjelp_id:pk>/starters/",
                self.construct_view(
                    GroupStartersView, permission_policy=self.permission_policy
                ),
                name="starters",
            ),
            path(
                "<selvhjelp_id:pk>/invitations/",
                self.invitations_view,
                name="invitations",
            ),
            path(
                "<selvhjelp_id:pk>/end/",
                self.construct_view(
                    EndGroupView, permission_policy=self.permission_policy
                ),
                name="end",
            ),
            path(
                "<selvhjelp_id:pk>/contacts/",
                self.construct_view(
                    ContactListView, permission_policy=self.permission_policy
                ),
                name="contact_list",
            ),
            path(
                "membership/<selvhjelp_id:pk>/remove/",
                self.construct_view(
                    RemoveMemberView, permission_policy=self.permission_policy
                ),
                name="remove_member",
            ),
        ]


group_viewset = SelfHelpGroupViewSet()


class StarterViewSet(ModelViewSet):
    """The starter register: trained volunteers who start groups.

    Personal data: no copy view, not in the reference index; scoped to the
    pages each starter serves. Deleting a starter erases them by reference
    (their groups keep the assignment, without them).
    """

    model = Starter
    icon = "user"
    menu_label = _("Starters")
    menu_order = 250
    name = STARTER_VIEWSET_NAME
    url_prefix = "selvhjelp/starters"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = StarterIndexView
    edit_view_class = StarterEditView
    delete_view_class = StarterDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    permission_policy = starter_permission_policy
    list_filter = ["status"]
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
            FieldPanel("status"),
            MultiFieldPanel(
                [
                    FieldPanel("pages", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("places", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("time_slots", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                ],
                heading=_("Where, when and what they can start"),
            ),
            InlinePanel("courses", heading=_("Courses"), label=_("Course")),
            FieldPanel("notes"),
        ],
        base_form_class=StarterForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "person-data/<selvhjelp_id:pk>/",
                self.construct_view(
                    StarterDataView, permission_policy=self.permission_policy
                ),
                name="person_data",
            ),
        ]


starter_viewset = StarterViewSet()


class PolicyViewSet(ViewSet):
    """A plain viewset (screens, not a model's CRUD) whose menu item is shown
    to users the registrations' permission policy allows any of
    ``permission_actions``, as Wagtail's ``ModelViewSet`` asks its policy."""

    permission_policy = registration_permission_policy
    permission_actions = ()

    @cached_property
    def menu_item_class(self):
        def is_shown(_self, request):
            return self.permission_policy.user_has_any_permission(
                request.user, self.permission_actions
            )

        return type(
            f"{type(self).__name__}MenuItem", (MenuItem,), {"is_shown": is_shown}
        )


class MatchingViewSet(PolicyViewSet):
    """The matching workflow: pick a page, propose groups, create them."""

    name = MATCHING_VIEWSET_NAME
    url_prefix = "selvhjelp/matching"
    icon = "group"
    menu_label = _("Put groups together")
    menu_order = 50
    permission_actions = ["match"]

    def get_url_names(self):
        return {
            "index": self.get_url_name("index"),
            "page": self.get_url_name("page"),
            "run": self.get_url_name("run"),
            "members": group_viewset.get_url_name("members"),
        }

    def get_urlpatterns(self):
        kwargs = {"url_names": self.get_url_names()}
        return [
            path("", MatchingIndexView.as_view(**kwargs), name="index"),
            path(
                "<selvhjelp_id:page_id>/",
                MatchingPageView.as_view(**kwargs),
                name="page",
            ),
            path(
                "run/<selvhjelp_id:run_id>/",
                MatchingRunView.as_view(**kwargs),
                name="run",
            ),
        ]


matching_viewset = MatchingViewSet()


class StatisticsViewSet(PolicyViewSet):
    """Anonymous registration statistics, kept after the rows are deleted."""

    name = STATISTICS_VIEWSET_NAME
    url_prefix = "selvhjelp/statistics"
    icon = "table"
    menu_label = _("Statistics")
    menu_order = 400
    # Coordinators see their pages' counts; the overview permission, all.
    permission_actions = ["view", "overview"]

    def get_urlpatterns(self):
        view = StatisticsReportView.as_view(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("results"),
            other_report_url_name=self.get_url_name("groups"),
            language_report_url_name=self.get_url_name("languages"),
        )
        groups = GroupStatisticsReportView.as_view(
            index_url_name=self.get_url_name("groups"),
            index_results_url_name=self.get_url_name("groups_results"),
            other_report_url_name=self.get_url_name("index"),
        )
        languages = LanguageReportView.as_view(
            index_url_name=self.get_url_name("languages"),
            index_results_url_name=self.get_url_name("languages_results"),
            other_report_url_name=self.get_url_name("index"),
        )
        return [
            path("", view, name="index"),
            path("results/", view, name="results"),
            path("groups/", groups, name="groups"),
            path("groups/results/", groups, name="groups_results"),
            path("languages/", languages, name="languages"),
            path("languages/results/", languages, name="languages_results"),
        ]


statistics_viewset = StatisticsViewSet()


class PrivacyViewSet(PolicyViewSet):
    """The privacy overview for the data-protection officer."""

    name = PRIVACY_VIEWSET_NAME
    url_prefix = "selvhjelp/privacy"
    icon = "lock"
    menu_label = _("Privacy overview")
    menu_order = 500
    permission_actions = ["overview"]

    def get_urlpatterns(self):
        return [
            path(
                "",
                PrivacyOverviewView.as_view(
                    statistics_url_name=statistics_viewset.get_url_name("index")
                ),
                name="index",
            ),
        ]


privacy_viewset = PrivacyViewSet()


starter_kit_text_viewset = StarterKitTextViewSet()


class SelvhjelpViewSetGroup(ViewSetGroup):
    """The package's own admin menu: "Self-help".

    A plain ``ViewSetGroup``: it holds model viewsets as well as the contact
    point's snippet viewset, which ``wagtail_hooks`` registers as a snippet.
    """

    menu_label = _("Self-help")
    menu_icon = "group"
    menu_name = "selvhjelp"
    menu_order = 250
    items = (
        matching_viewset,
        registration_viewset,
        group_viewset,
        starter_viewset,
        contact_point_viewset,
        starter_kit_text_viewset,
        statistics_viewset,
        privacy_viewset,
    )
