"""Views of the recommender API: recommendations for datasets, summaries and files; search."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import StandardPagination
from datasets.models import Dataset
from datasets.uploads import check_declared_size, temporary_upload
from recommender import services
from recommender.api import serializers as s
from recommender.query import RecommendationQuery
from registry.models import Procedure

SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"
ANSWER_EXAMPLE = OpenApiExample(
    "Recommendations",
    response_only=True,
    value={
        "query": {
            "label": "10.5072/demo:saxs-001",
            "techniques": [{"iri": SAXS, "label": "small angle x-ray scattering", "confidence": 1}],
            "unknown_techniques": [],
            "technique_status": "known",
            "technique_unknown_reason": "",
            "compatibility_checked": True,
            "no_fit_reason": "",
            "data_facility": {"slug": "esrf", "name": "ESRF"},
        },
        "engine_version": "embedded/1.0.0",
        "degraded": False,
        "degraded_reason": "",
        "count": 1,
        "results": [
            {
                "procedure": "saxs-azimuthal-integration",
                "name": "SAXS azimuthal integration",
                "summary": "Integrates 2D SAXS images to I(q).",
                "version": "1.0.0",
                "kind": "notebook",
                "score": 1.1,
                "explanation": "Serves small angle x-ray scattering exactly. "
                "All required NeXus items present. Offered at ESRF, where the data lives.",
                "reasons": [
                    {
                        "type": "exact_technique",
                        "technique": SAXS,
                        "distance": 0,
                        "weight": 1.0,
                        "query_technique": SAXS,
                    }
                ],  # fmt: skip
                "compatibility": {
                    "compatible": True,
                    "present": ["NXdetector"],
                    "missing": [],
                    "offered_at_data_facility": True,
                },
                "engine_version": "embedded/1.0.0",
            }
        ],
    },
)
OPTIONS = [
    OpenApiParameter("k", int, description="How many (1-50, default 5)."),
    OpenApiParameter(
        "facility",
        str,
        description="Only procedures offered at this facility. Without it nothing is filtered "
        "by facility; each result says whether it is offered where the data lives.",
    ),
    OpenApiParameter("include_incompatible", bool, description="List incompatible, flagged."),
]


def _options(data) -> dict:
    """Validated k, facility and include_incompatible."""
    options = s.RecommendationOptionsSerializer(data=data)
    options.is_valid(raise_exception=True)
    return {
        "k": options.validated_data["k"],
        "facility": options.validated_data["facility"] or None,
        "include_incompatible": options.validated_data["include_incompatible"],
    }


class DatasetRecommendationsView(APIView):
    """Procedures that fit a stored dataset, and why."""

    @extend_schema(
        summary="Recommendations for a dataset",
        parameters=OPTIONS,
        responses=s.RecommendationAnswerSerializer,
        examples=[ANSWER_EXAMPLE],
    )
    def get(self, request, pid: str):
        """Rank procedures for the dataset ``pid`` (visible to the caller)."""
        dataset = get_object_or_404(Dataset.objects.visible_to(request.user), pid=pid)
        query = RecommendationQuery.from_dataset(dataset)
        return Response(services.recommend(query, **_options(request.query_params)))


class RecommendationsView(APIView):
    """Recommendations for a NeXus summary, a PaNOSC dataset or technique IRIs.

    A POST that only reads: open to anonymous callers, like the GET routes.
    """

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Recommendations for a summary, a PaNOSC dataset or techniques",
        request=s.RecommendationRequestSerializer,
        responses=s.RecommendationAnswerSerializer,
        examples=[
            OpenApiExample(
                "By techniques", request_only=True, value={"techniques": [SAXS], "k": 3}
            ),
            OpenApiExample(
                "PaNOSC dataset",
                request_only=True,
                value={"dataset": {"pid": "x", "techniques": [{"name": "SAXS"}]}},
            ),
            ANSWER_EXAMPLE,
        ],
    )
    def post(self, request):
        """Build the query from whichever description was given and rank procedures."""
        body = s.RecommendationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "summary" in data:
            query = RecommendationQuery.from_summary(_summary_or_400(data["summary"]))
        elif "dataset" in data:
            query = RecommendationQuery.from_panosc(data["dataset"])
        else:
            query = RecommendationQuery.from_techniques(data["techniques"])
        return Response(services.recommend(query, **_options(request.data)))


def _summary_or_400(data: dict):
    """A DatasetSummary from a posted dict; a malformed one is a 400."""
    from datasets.nexus.summary import DatasetSummary

    try:
        summary = DatasetSummary.from_dict({"path": "", "file_size": 0, **data})
        summary.class_paths()
    except (TypeError, ValueError, AttributeError) as exc:
        raise serializers.ValidationError({"summary": f"Not a NeXus summary: {exc}"}) from exc
    return summary


class RecommendationUploadView(APIView):
    """Recommendations for an uploaded NeXus file; nothing is stored, so anyone may ask."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "uploads"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Recommendations for an uploaded NeXus file",
        description="Only metadata is read, from a temporary copy that is deleted. "
        "Larger than UPLOAD_MAX_BYTES: 413.",
        request={"multipart/form-data": s.RecommendationUploadSerializer},
        responses={200: s.RecommendationAnswerSerializer, 413: OpenApiTypes.OBJECT},
        examples=[ANSWER_EXAMPLE],
    )
    def post(self, request):
        """Copy the upload to a temporary file (size-limited), extract, recommend, delete."""
        check_declared_size(request.META.get("CONTENT_LENGTH"))
        body = s.RecommendationUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        with temporary_upload(upload, prefix="recommend-") as temporary:
            answer = services.recommend_for_file(temporary, **_options(request.data))
        answer["query"]["label"] = upload.name
        return Response(answer)


class ProcedureDatasetsView(generics.GenericAPIView):
    """The reverse: datasets a procedure fits."""

    pagination_class = StandardPagination
    serializer_class = s.FittingDatasetSerializer

    @extend_schema(
        summary="Datasets a procedure fits",
        parameters=[OpenApiParameter("include_incompatible", bool)],
        examples=[
            OpenApiExample(
                "A dataset",
                response_only=True,
                value={
                    "pid": "10.5072/demo:saxs-001",
                    "title": "Silica spheres",
                    "techniques": [SAXS],
                    "compatibility": {"compatible": True, "present": [], "missing": []},
                },
            )  # fmt: skip
        ],
    )
    def get(self, request, slug: str):
        """Datasets with a related technique whose structure meets the procedure's needs."""
        procedure = get_object_or_404(Procedure.objects.exclude(status="draft"), slug=slug)
        options = s.ProcedureDatasetsOptionsSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        include = options.validated_data["include_incompatible"]
        pairs = services.datasets_for_procedure(procedure, request.user, include)
        page = self.paginate_queryset(pairs)
        rows = [
            {
                "pid": dataset.pid,
                "title": dataset.title,
                "techniques": list(dataset.techniques.values_list("iri", flat=True)),
                "compatibility": compat,
            }
            for dataset, compat in page
        ]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class SearchView(generics.GenericAPIView):
    """Free-text search of procedures with facets."""

    pagination_class = StandardPagination
    serializer_class = s.SearchResultSerializer

    @extend_schema(
        summary="Search procedures",
        description="Facet counts (technique, facility, kind) are over all matches. "
        "`degraded` is true (with `degraded_reason`) when the search cluster could not serve "
        "and the database answered instead.",
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("technique", str, description="IRI; narrower terms included."),
            OpenApiParameter("facility", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="At most 200."),
        ],
        responses=s.SearchPageSerializer,
        examples=[
            OpenApiExample(
                "Facets",
                response_only=True,
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "procedure": "saxs-azimuthal-integration",
                            "name": "SAXS azimuthal integration",
                            "summary": "Integrates 2D SAXS images to I(q).",
                            "version": "1.0.0",
                            "kind": "notebook",
                            "techniques": [SAXS],
                            "facilities": ["esrf"],
                            "score": 1.0,
                        }
                    ],
                    "facets": {
                        "technique": [
                            {"value": SAXS, "label": "small angle x-ray scattering", "count": 1}
                        ],
                        "facility": [{"value": "esrf", "label": "esrf", "count": 1}],
                        "kind": [{"value": "notebook", "label": "notebook", "count": 1}],
                    },
                },
            )
        ],
    )
    def get(self, request):
        """Search, paginate the results, attach the facets."""
        params = request.query_params
        facets = {name: params.get(name) for name in ("technique", "facility", "kind")}
        answer = services.search(params.get("q", ""), {k: v for k, v in facets.items() if v})
        page = self.paginate_queryset(answer["results"])
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["facets"] = answer["facets"]
        response.data["degraded"] = answer["degraded"]
        response.data["degraded_reason"] = answer["degraded_reason"]
        return response
