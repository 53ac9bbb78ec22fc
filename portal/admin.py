from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from portal.audit import record_change, snapshot
from portal.choices import AuditAction
from portal.models import JobRun, Nation, ObjectChange, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """The trail and the job log are written by the system only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Nation)
class NationAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "accession_year", "currency"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "nation", "is_active", "is_staff"]
    list_filter = ["role", "nation", "is_active", "is_staff"]
    list_select_related = ["nation"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Portal", {"fields": ("role", "nation")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Portal", {"fields": ("role", "nation")}))

    # The admin's change form runs in a transaction, so the audit row commits with the change.
    def save_model(self, request, obj, form, change):
        before = snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record_change(
            actor=request.user,
            obj=obj,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            before=before,
            after=snapshot(obj),
            message="Changed in admin",
        )

    def get_actions(self, request):
        # Bulk delete skips delete_model, and with it the audit row.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        record_change(
            actor=request.user,
            obj=obj,
            action=AuditAction.DELETE,
            before=snapshot(obj),
            message="Deleted in admin",
        )
        super().delete_model(request, obj)


@admin.register(ObjectChange)
class ObjectChangeAdmin(ReadOnlyAdmin):
    list_display = ["time", "actor_username", "action", "content_type", "object_repr", "request_id"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_username", "request_id", "message"]
    date_hierarchy = "time"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "job_name", "state", "started_at", "finished_at", "publish_attempts"]
    list_filter = ["state", "job_name"]


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    """API tokens, audited against their user: the token's key is its primary key and a secret, so
    it never goes into the trail."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_change(
            actor=request.user, obj=obj.user, action="api_token.issued", message="API token issued in admin"
        )

    def delete_model(self, request, obj):
        record_change(
            actor=request.user, obj=obj.user, action="api_token.revoked", message="API token revoked in admin"
        )
        super().delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
