from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken

from portal import services
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
    actions = ["revoke_api_tokens"]
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

    @admin.action(description=_("Revoke the selected users' API tokens"), permissions=["revoke_tokens"])
    def revoke_api_tokens(self, request, queryset):
        revoked = sum(services.token_revoke_all(actor=request.user, user=user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

    def has_revoke_tokens_permission(self, request):
        return request.user.has_perm("knox.delete_authtoken")

    def get_deleted_objects(self, objs, request):
        # The confirmation lists each cascaded row by str(), which for a knox token is its digest:
        # tokens appear only in the summary's count.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return _without_tokens(to_delete), model_count, perms_needed, protected


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


def _without_tokens(items: list) -> list:
    token_label = f"{capfirst(AuthToken._meta.verbose_name)}: "
    kept = []
    for item in items:
        if isinstance(item, list):
            item = _without_tokens(item)
            if item:
                kept.append(item)
        elif not str(item).startswith(token_label):
            kept.append(item)
    return kept


# Knox registers an admin that lists and searches token digests; this one never shows them.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """API tokens, as a list only. A token's primary key is its digest, and so is its ``str()``:
    there is no detail or delete page, no link and no row checkbox. Revoke a user's tokens with the
    action on the user list; owners create and revoke their own at /accounts/tokens/. The delete
    permission stays the model's, so that deleting a user takes their tokens along."""

    list_display = ["token_key", "user", "created", "expiry"]
    list_display_links = None
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    ordering = ["-created", "token_key"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        changelist = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [pattern for pattern in super().get_urls() if getattr(pattern, "name", None) == changelist]
