"""Views of the PaNOSC search API: ``/panosc/Datasets`` and ``/panosc/Documents``.

``filter`` (loopback JSON: where, include, limit, skip) selects and shapes the answer; ``query``
ranks by a text score (the fraction of its words found) and drops what does not match at all.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets.models import Dataset, Document
from datasets.panosc import filters as f
from datasets.panosc import queries

FILTER_PARAMETER = OpenApiParameter(
    "filter",
    OpenApiTypes.STR,
    description="Loopback filter JSON: where, include, limit (default 100, at most 1000), skip.",
    examples=[
        OpenApiExample(
            "Technique",
            value='{"include":[{"relation":"techniques","scope":{"where":{"name":"x-ray absorption"}}}]}',
        ),
        OpenApiExample(
            "Parameter range",
            value='{"include":[{"relation":"parameters","scope":{"where":{"and":[{"name":"photon_energy"},'
            '{"value":{"between":[880,990]}},{"unit":"eV"}]}}}]}',
        ),
    ],
)
QUERY_PARAMETER = OpenApiParameter(
    "query", OpenApiTypes.STR, description="Text search; sets score."
)
WHERE_PARAMETER = OpenApiParameter(
    "where",
    OpenApiTypes.STR,
    description="Loopback where JSON.",
    examples=[OpenApiExample("Public", value='{"isPublic": true}')],
)
DATASET_EXAMPLE = {
    "pid": "10.5072/demo:xas-001",
    "title": "Copper foil XAS",
    "isPublic": True,
    "creationDate": "2024-03-01T10:00:00Z",
    "size": 1024,
    "score": 0,
    "techniques": [
        {
            "pid": "http://purl.org/pan-science/PaNET/PaNET01196",
            "name": "x-ray absorption spectroscopy",
        }
    ],
}
DOCUMENT_EXAMPLE = {
    "pid": "10.5072/demo:proposal-1",
    "isPublic": True,
    "type": "proposal",
    "title": "Copper",
    "score": 0,
}
COUNT_EXAMPLE = OpenApiExample("Count", value={"count": 4})


def text_score(words: list[str], text: str) -> float:
    """The fraction of ``words`` found in ``text`` (both lowercased)."""
    if not words:
        return 0
    return round(sum(1 for word in words if word in text) / len(words), 3)


def dataset_text(dataset: Dataset) -> str:
    """What the ``query`` parameter searches in a dataset."""
    parts = [dataset.pid, dataset.title, dataset.instrument_name, dataset.facility_name]
    parts += [term.label for term in dataset.techniques.all()]
    parts += [f"{p.name} {p.text_value}" for p in dataset.parameters.all()]
    parts += [str(sample.get("name", "")) for sample in dataset.samples or []]
    return " ".join(parts).lower()


def document_text(document: Document) -> str:
    """What the ``query`` parameter searches in a document."""
    return " ".join(
        [document.pid, document.title, document.summary, *map(str, document.keywords or [])]
    ).lower()


class PanoscListView(APIView):
    """Shared list logic: filter, score, skip and limit, render."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]
    model_name = "dataset"

    def base_queryset(self, parsed: f.Filter):
        """The filtered queryset before scoring."""
        raise NotImplementedError

    def render(self, item, parsed: f.Filter, score: float) -> dict | None:
        """One item in the PaNOSC shape."""
        raise NotImplementedError

    def text(self, item) -> str:
        """The searchable text of an item."""
        raise NotImplementedError

    def answer(self, request) -> list[dict]:
        """The rendered items of a list request.

        Without ``query``, and with no include matched in Python, skip and limit go to the
        database; otherwise every matching row is scored (or checked) here before paging.
        """
        parsed = f.parse_filter(request.query_params.get("filter"), self.model_name)
        items = self.base_queryset(parsed).distinct()
        words = (request.query_params.get("query") or "").lower().split()
        if not words and not any(include.filters_in_python() for include in parsed.includes):
            page = items[parsed.skip : parsed.skip + parsed.limit]
            return [body for item in page if (body := self.render(item, parsed, 0)) is not None]
        if words:
            scored = [(item, text_score(words, self.text(item))) for item in items]
            ranked = sorted((pair for pair in scored if pair[1] > 0), key=lambda pair: -pair[1])
        else:
            ranked = ((item, 0) for item in items)
        answer, skipped = [], 0
        for item, score in ranked:
            body = self.render(item, parsed, score)
            if body is None:
                continue
            if skipped < parsed.skip:
                skipped += 1
                continue
            answer.append(body)
            if len(answer) >= parsed.limit:
                break
        return answer


class DatasetListView(PanoscListView):
    """PaNOSC ``GET /Datasets``."""

    model_name = "dataset"

    def base_queryset(self, parsed: f.Filter):
        """Visible datasets matching where and the filtering includes."""
        queryset = Dataset.objects.visible_to(self.request.user)
        searched = ["parameters"] if self.request.query_params.get("query") else []  # its text
        return queryset.filter(
            queries.dataset_scope_q(parsed.where, parsed.includes)
        ).prefetch_related("techniques", *searched, *queries.include_prefetches(parsed.includes))

    def render(self, item, parsed, score):
        """A dataset with its includes."""
        return queries.dataset_json(item, parsed.includes, self.request.user, score)

    def text(self, item) -> str:
        """Searchable text of a dataset."""
        return dataset_text(item)

    @extend_schema(
        summary="PaNOSC: search datasets",
        operation_id="panosc_datasets_list",
        parameters=[FILTER_PARAMETER, QUERY_PARAMETER],
        responses={200: {"type": "array", "items": {"type": "object"}}},
        examples=[OpenApiExample("Datasets", value=[DATASET_EXAMPLE], response_only=True)],
    )
    def get(self, request):
        """Datasets matching the filter, in the PaNOSC shape."""
        return Response(self.answer(request))


class DocumentListView(PanoscListView):
    """PaNOSC ``GET /Documents``."""

    model_name = "document"

    def base_queryset(self, parsed: f.Filter):
        """Visible documents matching where and the filtering includes."""
        queryset = queries.visible_documents(self.request.user)
        return queryset.filter(
            queries.document_scope_q(parsed.where, parsed.includes, self.request.user)
        )

    def render(self, item, parsed, score):
        """A document with its includes."""
        return queries.document_json(item, parsed.includes, self.request.user, score)

    def text(self, item) -> str:
        """Searchable text of a document."""
        return document_text(item)

    @extend_schema(
        summary="PaNOSC: search documents",
        operation_id="panosc_documents_list",
        parameters=[FILTER_PARAMETER, QUERY_PARAMETER],
        responses={200: {"type": "array", "items": {"type": "object"}}},
        examples=[OpenApiExample("Documents", value=[DOCUMENT_EXAMPLE], response_only=True)],
    )
    def get(self, request):
        """Documents matching the filter, in the PaNOSC shape."""
        return Response(self.answer(request))


class DatasetDetailView(APIView):
    """PaNOSC ``GET /Datasets/{pid}``."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="PaNOSC: one dataset",
        operation_id="panosc_datasets_retrieve",
        parameters=[FILTER_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Dataset", value=DATASET_EXAMPLE, response_only=True)],
    )
    def get(self, request, pid: str):
        """The dataset ``pid`` with the includes of the filter."""
        parsed = f.parse_filter(request.query_params.get("filter"), "dataset")
        dataset = Dataset.objects.visible_to(request.user).filter(pid=pid).first()
        if dataset is None:
            raise Http404(f"No dataset {pid}.")
        return Response(queries.dataset_json(dataset, parsed.includes, request.user) or {})


class DocumentDetailView(APIView):
    """PaNOSC ``GET /Documents/{pid}``."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="PaNOSC: one document",
        operation_id="panosc_documents_retrieve",
        parameters=[FILTER_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Document", value=DOCUMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request, pid: str):
        """The document ``pid`` with the includes of the filter."""
        parsed = f.parse_filter(request.query_params.get("filter"), "document")
        document = queries.visible_documents(request.user).filter(pid=pid).first()
        if document is None:
            raise Http404(f"No document {pid}.")
        return Response(queries.document_json(document, parsed.includes, request.user) or {})


class DatasetCountView(APIView):
    """PaNOSC ``GET /Datasets/count``."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="PaNOSC: count datasets",
        operation_id="panosc_datasets_count",
        parameters=[WHERE_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        examples=[COUNT_EXAMPLE],
    )
    def get(self, request):
        """How many visible datasets match ``where``."""
        where = f.load_json(request.query_params.get("where"), "where")
        queryset = Dataset.objects.visible_to(request.user).filter(
            f.where_q(where, f.DATASET_FIELDS, "dataset")
        )
        return Response({"count": queryset.count()})


class DocumentCountView(APIView):
    """PaNOSC ``GET /Documents/count``."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="PaNOSC: count documents",
        operation_id="panosc_documents_count",
        parameters=[WHERE_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        examples=[COUNT_EXAMPLE],
    )
    def get(self, request):
        """How many visible documents match ``where``."""
        where = f.load_json(request.query_params.get("where"), "where")
        queryset = queries.visible_documents(request.user).filter(
            f.where_q(where, f.DOCUMENT_FIELDS, "document")
        )
        return Response({"count": queryset.count()})
