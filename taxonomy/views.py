"""The HS picker's options: an htmx fragment served at /catalogue/hs-picker/ (catalogue's URLs)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .models import SectorLevel
from .search import pick_sectors

HS_PICKER_LIMIT = 20
_MAX_QUERY_LENGTH = 100


@require_GET
def hs_picker(request: HttpRequest) -> HttpResponse:
    """The HS picker's options for `?q=` (an htmx fragment): codes by prefix, then by name."""
    query = request.GET.get("q", "").strip()[:_MAX_QUERY_LENGTH]
    min_level = request.GET.get("min_level")
    sectors = pick_sectors(
        query,
        language=get_language(),
        limit=HS_PICKER_LIMIT,
        min_level=int(min_level) if min_level in {str(level) for level in SectorLevel.values} else None,
    )
    return render(request, "taxonomy/hs_picker_results.html", {"query": query, "sectors": sectors})
