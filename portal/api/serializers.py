from rest_framework import serializers

from portal.choices import Role
from portal.models import JobRun, Nation, User
from portal.permissions import permissions_for


class ErrorSerializer(serializers.Serializer):
    """Every error but a validation error: a message and a stable code (``portal.api.errors``).
    An operation's own error serializers (a conflict's, say) extend it with what they add."""

    detail = serializers.CharField(help_text="What went wrong, for a person.")
    code = serializers.CharField(
        help_text="What went wrong, for a program: not_authenticated, permission_denied, not_found, "
        "conflict, throttled, ..."
    )


class NationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Nation
        fields = ["code", "name", "kind", "accession_year", "currency"]


class MeSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, allow_blank=True, read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    nation = NationSerializer(read_only=True, allow_null=True)
    permissions = serializers.SerializerMethodField(
        help_text='Grants by model and action, with their scope: {"portal.jobrun": {"view": "all"}}.'
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "role",
            "role_label",
            "nation",
            "is_staff",
            "permissions",
        ]
        read_only_fields = fields

    def get_permissions(self, user) -> dict[str, dict[str, str]]:
        return permissions_for(user)


class JobRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobRun
        fields = [
            "id",
            "job_name",
            "state",
            "created_at",
            "published_at",
            "started_at",
            "finished_at",
            "error",
            "result",
        ]
        read_only_fields = fields


class ApiTokenSerializer(serializers.Serializer):
    """An API token as its owner sees it in a list: never the key."""

    prefix = serializers.CharField(
        source="token_key", read_only=True, help_text="The token's first characters; not a secret."
    )
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """A new token, with its key: shown this once, since only a digest of it is stored."""

    key = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <key>`.")
