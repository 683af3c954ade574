"""Admin: teams (supervisors, members), agent profiles (handles), coaching and team reviews (read-only once signed).

Reviews are written and signed on the coaching pages (the sign-off is a workflow); the admin lets an admin
correct a draft and read everything, never change a signed review.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.coaching import services
from apps.coaching.models import (
    AgentProfile,
    CoachingReview,
    DiscussedConversation,
    ReviewAction,
    Team,
    TeamReview,
    TeamReviewAction,
)


class MemberInline(admin.TabularInline):
    model = AgentProfile
    fields = ("user", "handles", "is_active")
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = _("member")
    verbose_name_plural = _("members")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "supervisor_names", "member_count")
    search_fields = ("name",)
    filter_horizontal = ("supervisors",)
    inlines = (MemberInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("supervisors", "members")

    @admin.display(description=_("supervisors"))
    def supervisor_names(self, obj: Team) -> str:
        return ", ".join(u.get_username() for u in obj.supervisors.all()) or "—"

    @admin.display(description=_("members"))
    def member_count(self, obj: Team) -> int:
        return len(obj.members.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The supervisors' object grants follow the M2M: who is added gains access, who is removed loses it.
        services.team_supervisors_sync(team=form.instance)


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "handle_list", "is_active")
    list_filter = ("team", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)

    @admin.display(description=_("handles"))
    def handle_list(self, obj: AgentProfile) -> str:
        return ", ".join(obj.handles or []) or "—"


class SignedReadOnlyMixin:
    """Signed reviews (and their rows) cannot be changed or deleted here."""

    def _locked(self, obj) -> bool:
        return obj is not None and not obj.is_editable

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


class LockedInlineMixin:
    def _parent_locked(self, obj) -> bool:
        return obj is not None and not obj.is_editable

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._parent_locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._parent_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._parent_locked(obj)


class DiscussedInline(LockedInlineMixin, admin.TabularInline):
    model = DiscussedConversation
    fields = ("source", "thread_id", "note")
    extra = 0


class ActionInline(LockedInlineMixin, admin.TabularInline):
    model = ReviewAction
    fields = ("text", "owner", "due_date")
    autocomplete_fields = ("owner",)
    extra = 0


@admin.register(CoachingReview)
class CoachingReviewAdmin(SignedReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "agent",
        "supervisor",
        "period_start",
        "period_end",
        "status",
        "agent_signed_at",
        "supervisor_signed_at",
    )
    list_filter = ("status", "agent__team")
    search_fields = ("agent__user__username", "supervisor__username")
    date_hierarchy = "period_end"
    readonly_fields = ("status", "shared_at", "agent_signed_at", "supervisor_signed_at", "agent_comment")
    autocomplete_fields = ("supervisor",)
    inlines = (DiscussedInline, ActionInline)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent__user", "supervisor")


class TeamActionInline(LockedInlineMixin, admin.TabularInline):
    model = TeamReviewAction
    fields = ("text", "owner", "due_date")
    autocomplete_fields = ("owner",)
    extra = 0


@admin.register(TeamReview)
class TeamReviewAdmin(SignedReadOnlyMixin, admin.ModelAdmin):
    list_display = ("team", "period_start", "period_end", "status", "author", "signed_by", "signed_at")
    list_filter = ("status", "team")
    readonly_fields = ("status", "signed_by", "signed_at")
    autocomplete_fields = ("author",)
    inlines = (TeamActionInline,)
