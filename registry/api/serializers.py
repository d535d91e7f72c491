"""Serializers of the registry API. Writes of procedures and versions go through the manifest."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import BlankAsNullURLField
from ontologies.models import Term
from registry.choices import ProcedureStatus
from registry.models import Facility, Instrument, Procedure, ProcedureVersion, Resource
from registry.permissions import visible_procedures
from registry.references import commit_url


class TermReferenceSerializer(serializers.ModelSerializer):
    """A technique as other resources cite it."""

    class Meta:
        model = Term
        fields = ["iri", "label"]


class FacilitySerializer(serializers.ModelSerializer):
    """A facility."""

    url = BlankAsNullURLField(max_length=200)

    class Meta:
        model = Facility
        fields = ["slug", "name", "short_name", "url", "country", "description"]


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument of a facility, with its techniques (IRIs on write)."""

    url = BlankAsNullURLField(max_length=200)
    facility = serializers.SlugRelatedField(slug_field="slug", queryset=Facility.objects.all())
    techniques = serializers.SlugRelatedField(
        slug_field="iri", many=True, queryset=Term.objects.all(), required=False
    )

    class Meta:
        model = Instrument
        fields = ["id", "facility", "slug", "name", "url", "description", "techniques"]


def request_user(context: dict):
    """The user of the request a serializer works for (None outside a request)."""
    request = context.get("request")
    return getattr(request, "user", None)


class VisibleProcedureSlugField(serializers.SlugRelatedField):
    """A procedure by slug, among those the requesting user may see (a hidden draft reads as
    unknown, exactly like a slug that does not exist)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Procedure.objects.all(), **kwargs)

    def get_queryset(self):
        """The procedures visible to the requesting user."""
        return visible_procedures(request_user(self.context), super().get_queryset())


class VisibleProcedureSlugs(serializers.ManyRelatedField):
    """The slugs of the linked procedures the requesting user may see; drafts of others are
    left out."""

    def get_attribute(self, instance):
        """The linked procedures (prefetched), without the drafts hidden from the user."""
        linked = list(super().get_attribute(instance))
        drafts = [p.pk for p in linked if p.status == ProcedureStatus.DRAFT]
        if not drafts:
            return linked
        visible_drafts = visible_procedures(
            request_user(self.context), Procedure.objects.filter(pk__in=drafts)
        )
        shown = set(visible_drafts.values_list("pk", flat=True))
        return [p for p in linked if p.status != ProcedureStatus.DRAFT or p.pk in shown]


class ResourceSerializer(serializers.ModelSerializer):
    """A tutorial, simulation, training course, publication or example dataset."""

    techniques = serializers.SlugRelatedField(
        slug_field="iri", many=True, queryset=Term.objects.all(), required=False
    )
    procedures = VisibleProcedureSlugs(child_relation=VisibleProcedureSlugField(), required=False)
    facility = serializers.SlugRelatedField(
        slug_field="slug", queryset=Facility.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Resource
        fields = [
            "id",
            "kind",
            "title",
            "url",
            "description",
            "techniques",
            "procedures",
            "facility",
        ]

    def update(self, instance: Resource, validated_data: dict) -> Resource:
        """Update; links to procedures the user cannot see are kept, never silently dropped."""
        if "procedures" in validated_data:
            hidden = instance.procedures.exclude(
                pk__in=visible_procedures(request_user(self.context)).values("pk")
            )
            validated_data["procedures"] = [*validated_data["procedures"], *hidden]
        return super().update(instance, validated_data)


class CodeReferenceSerializer(serializers.Serializer):
    """Where the code of a version is: repository, exact commit, entry point."""

    repository = serializers.CharField(source="code_repository")
    commit = serializers.CharField(source="code_commit")
    entry_point = serializers.CharField()
    commit_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_commit_url(self, version: ProcedureVersion) -> str | None:
        return commit_url(version.code_repository, version.code_commit)


class ProcedureVersionSerializer(serializers.ModelSerializer):
    """One version of a procedure, as read."""

    procedure = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    code = CodeReferenceSerializer(source="*", read_only=True)
    based_on = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = [
            "procedure",
            "version",
            "status",
            "kind",
            "code",
            "container_image",
            "input_schema",
            "required_nexus",
            "outputs",
            "compute_resources",
            "changelog",
            "based_on",
            "created_at",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_based_on(self, version: ProcedureVersion) -> str | None:
        base = version.base_version
        return f"{base.procedure.slug}@{base.version}" if base else None

    def get_url(self, version: ProcedureVersion) -> str:
        request = self.context.get("request")
        path = f"/api/v1/procedures/{version.procedure.slug}/versions/{version.version}/"
        return request.build_absolute_uri(path) if request else path


class ProcedureSerializer(serializers.ModelSerializer):
    """A procedure with its techniques, facilities, versions and linked resources, as read."""

    techniques = TermReferenceSerializer(many=True, read_only=True)
    facilities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    owners = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    versions = serializers.SerializerMethodField()
    resources = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = [
            "slug",
            "name",
            "summary",
            "description",
            "license",
            "keywords",
            "citation",
            "status",
            "techniques",
            "facilities",
            "owners",
            "successful_runs",
            "versions",
            "resources",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(ProcedureVersionSerializer(many=True))
    def get_versions(self, procedure: Procedure) -> list[dict]:
        editable = self.context.get("editable_procedure_ids", set())
        versions = [
            v for v in procedure.versions.all() if procedure.pk in editable or v.status != "draft"
        ]
        return ProcedureVersionSerializer(versions, many=True, context=self.context).data

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    )
    def get_resources(self, procedure: Procedure) -> list[dict]:
        return [{"kind": r.kind, "title": r.title, "url": r.url} for r in procedure.resources.all()]

    def get_url(self, procedure: Procedure) -> str:
        request = self.context.get("request")
        path = f"/api/v1/procedures/{procedure.slug}/"
        return request.build_absolute_uri(path) if request else path


class ManifestProblemSerializer(serializers.Serializer):
    """One problem of a manifest, located by a JSON pointer."""

    pointer = serializers.CharField()
    message = serializers.CharField()


class RegistrationResultSerializer(serializers.Serializer):
    """What registering (or validating) a manifest did or would do."""

    procedure = serializers.CharField()
    procedure_action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    versions = serializers.DictField(child=serializers.CharField())
    resources = serializers.DictField(child=serializers.CharField())
    changed = serializers.BooleanField()
    dry_run = serializers.BooleanField()


class ValidationResultSerializer(serializers.Serializer):
    """The answer of the manifest validator when the manifest is valid."""

    valid = serializers.BooleanField()
    errors = ManifestProblemSerializer(many=True)
    plan = RegistrationResultSerializer(
        allow_null=True,
        help_text="What registering would do; null when the caller may not register it "
        "(anonymous, or not a curator of its facilities).",
    )
