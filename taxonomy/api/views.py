"""The HS tree, readable by anyone (docs/api.md, "Sectors")."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from taxonomy.filtersets import SectorFilterSet
from taxonomy.models import Sector

from .serializers import SectorSerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("List HS sectors"),
        description=_(
            "Sections, chapters, headings and subheadings of the Harmonized System 2022, "
            "ordered by level, then section order, then code."
        ),
    ),
    retrieve=extend_schema(
        summary=_("One HS sector"),
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                description=_("A section's roman numeral (“XVI”) or a 2, 4 or 6-digit HS code (“8418”)."),
            )
        ],
    ),
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    """The Harmonized System tree, readable by anyone."""

    queryset = Sector.objects.order_by("level", "position", "code")
    serializer_class = SectorSerializer
    filterset_class = SectorFilterSet
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering_fields = ["code", "level", "name"]
    ordering = ["level", "position", "code"]
