"""PaNOSC ``/Instruments``: list (filter: where, limit, skip; ``query``), detail and count.

Instruments are those the catalogue imported (:class:`datasets.models.PanoscInstrument`), in the
data model's shape ``{pid, name, facility, score}``, ordered by pid as loopback does.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets.models import PanoscInstrument
from datasets.panosc import filters as f
from datasets.panosc.views import (
    COUNT_EXAMPLE,
    FILTER_PARAMETER,
    QUERY_PARAMETER,
    WHERE_PARAMETER,
    PanoscListView,
)

INSTRUMENT_EXAMPLE = {
    "pid": "20.500.12269/0f98fcf2-7bd7-430e-ad20-d47031ca8f71",
    "name": "LoKI",
    "facility": "ESS",
    "score": 0,
}


def instrument_json(instrument: PanoscInstrument, score: float = 0) -> dict:
    """An instrument in the PaNOSC shape."""
    return {
        "pid": instrument.pid,
        "name": instrument.name,
        "facility": instrument.facility,
        "score": score,
    }


def instruments_matching(where: dict):
    """Instruments matching a where clause on pid, name and facility (or ``text``)."""
    return PanoscInstrument.objects.filter(
        f.where_q(where, f.INSTRUMENT_MODEL_FIELDS, "instruments")
    )


class InstrumentListView(PanoscListView):
    """PaNOSC ``GET /Instruments``."""

    model_name = "instrument"

    def base_queryset(self, parsed: f.Filter):
        """Instruments matching where."""
        return instruments_matching(parsed.where)

    def render(self, item, parsed, score):
        """An instrument."""
        return instrument_json(item, score)

    def text(self, item) -> str:
        """Searchable text of an instrument."""
        return f"{item.pid} {item.name} {item.facility}".lower()

    @extend_schema(
        summary="PaNOSC: search instruments",
        operation_id="panosc_instruments_list",
        parameters=[FILTER_PARAMETER, QUERY_PARAMETER],
        responses={200: {"type": "array", "items": {"type": "object"}}},
        examples=[OpenApiExample("Instruments", value=[INSTRUMENT_EXAMPLE], response_only=True)],
    )
    def get(self, request):
        """Instruments matching the filter, in the PaNOSC shape."""
        return Response(self.answer(request))


class InstrumentDetailView(APIView):
    """PaNOSC ``GET /Instruments/{pid}``."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="PaNOSC: one instrument",
        operation_id="panosc_instruments_retrieve",
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Instrument", value=INSTRUMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request, pid: str):
        """The instrument ``pid``."""
        f.parse_filter(request.query_params.get("filter"), "instrument")  # refuse a bad one
        instrument = PanoscInstrument.objects.filter(pid=pid).first()
        if instrument is None:
            raise Http404(f"No instrument {pid}.")
        return Response(instrument_json(instrument))


class InstrumentCountView(APIView):
    """PaNOSC ``GET /Instruments/count``."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="PaNOSC: count instruments",
        operation_id="panosc_instruments_count",
        parameters=[WHERE_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        examples=[COUNT_EXAMPLE],
    )
    def get(self, request):
        """How many instruments match ``where``."""
        where = f.load_json(request.query_params.get("where"), "where")
        return Response({"count": instruments_matching(where).count()})
