"""Admin for accounts, contacts and segments: writes go through the CRM services."""

from __future__ import annotations

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from apps.consent.admin_actions import SubjectRightsAdminMixin
from apps.core.admin import AuditedAdminMixin
from apps.crm import services
from apps.crm.models import Account, Contact, ContactIdentity, HandoffNote, Segment
from apps.governance.pages import PurposeBoundAdminMixin


@admin.register(Segment)
class SegmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "account_count", "updated")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="accounts")
    def account_count(self, obj: Segment) -> int:
        return obj.accounts.count()


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "email", "title", "is_vulnerable")
    extra = 0
    show_change_link = True


@admin.register(Account)
class AccountAdmin(AuditedAdminMixin, GuardedModelAdmin):
    list_display = (
        "name",
        "tier",
        "is_key_account",
        "segment",
        "journey_stage",
        "lifecycle_status",
        "account_manager",
        "renewal_date",
        "arr",
    )
    list_filter = ("tier", "is_key_account", "segment", "journey_stage", "lifecycle_status", "account_manager")
    search_fields = ("name", "external_id", "domain")
    list_select_related = ("segment", "account_manager")
    autocomplete_fields = ("account_manager", "segment")
    date_hierarchy = "renewal_date"
    inlines = [ContactInline]
    fieldsets = (
        (None, {"fields": ("name", "external_id", "domain", "segment")}),
        (
            "Relationship",
            {"fields": ("tier", "is_key_account", "account_manager", "journey_stage", "lifecycle_status")},
        ),
        ("Commercials", {"fields": ("arr", "currency", "renewal_date")}),
        ("Record", {"fields": ("created", "updated")}),
    )

    def save_model(self, request, obj: Account, form, change: bool) -> None:
        fields = {
            f.name: getattr(obj, f.name) for f in Account._meta.concrete_fields if f.editable and not f.primary_key
        }
        if change:
            services.account_update(account=obj, **fields)
        else:
            obj.pk = services.account_create(**fields).pk
            obj._state.adding = False


class IdentityInline(admin.TabularInline):
    model = ContactIdentity
    fields = ("kind", "platform", "value")
    extra = 0


@admin.register(Contact)
class ContactAdmin(SubjectRightsAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Actions (SubjectRightsAdminMixin): "Opt out of all analysis", "Export everything held (JSON)", "Erase"."""

    list_display = ("name", "email", "account", "title", "is_vulnerable")
    list_filter = ("is_vulnerable", "account__segment", "account__tier")
    search_fields = ("name", "email", "account__name", "identities__value")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    inlines = [IdentityInline]
    fields = ("account", "name", "email", "phone", "title", "is_vulnerable", "created", "updated")


@admin.register(HandoffNote)
class HandoffNoteAdmin(PurposeBoundAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Handoff notes carry what a customer feels: reading them states a purpose. A note is a record of what was
    handed over, so it is written once (through the service, which also moves the account) and not edited."""

    list_display = ("account", "from_team", "to_team", "author", "new_owner", "created")
    list_filter = ("from_team", "to_team")
    search_fields = ("account__name", "author__username")
    list_select_related = ("account", "author", "new_owner")
    autocomplete_fields = ("account",)
    fields = ("account", "from_team", "to_team", "context", "new_owner", "author", "created", "updated")
    readonly_fields = ("author", "created", "updated")
    date_hierarchy = "created"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return self.fields
        return super().get_readonly_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "new_owner":
            kwargs["queryset"] = services.account_manager_candidates()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: HandoffNote, form, change: bool) -> None:
        if change:
            return
        note = services.handoff_note_create(
            account=obj.account,
            author=request.user,
            from_team=obj.from_team,
            to_team=obj.to_team,
            context=obj.context,
            new_owner=obj.new_owner,
        )
        obj.pk, obj.author = note.pk, note.author
        obj._state.adding = False
