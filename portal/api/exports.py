"""The API's exports (docs/api.md "Operations"): what every `/api/v1/exports/<list>.<csv|xlsx>`
view shares, and the status of a large export's job.

Each app's view is a subclass naming its export and its list's filter set (so the schema
lists the same query parameters as the list endpoint): `matchmaking.api.views`,
`catalogue.api.views`, `accounts.api.views`, `sourcing.api.views`. The logic is
`portal.exports`; a view checks who asks (401, 403), turns bad filters into a 400 with the
field errors, and answers the file, or 202 with the job building a large workbook.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAcceptable, NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import exports
from portal.models import ExportJob, ExportStatus


class _AnyAccept(DefaultContentNegotiation):
    """A file answers whatever the client accepts; an error is JSON even when it asked for a
    spreadsheet (or named a `format` the API does not know)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (NotAcceptable, Http404):
            return (JSONRenderer(), JSONRenderer.media_type)


class ExportSchema(AutoSchema):
    """An export answers a file, not a list, yet takes its list's filters: the schema says so."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])


JOB_SERIALIZER = inline_serializer(
    "ExportJob",
    fields={
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(help_text=_("The export: matches, producers, buyers or requests.")),
        "format": serializers.CharField(),
        "status": serializers.ChoiceField(choices=ExportStatus.choices),
        "total": serializers.IntegerField(allow_null=True, help_text=_("Rows in all, once counted.")),
        "rows_done": serializers.IntegerField(),
        "percent": serializers.IntegerField(help_text=_("How far the file is built, 0 to 100.")),
        "created_at": serializers.DateTimeField(),
        "finished_at": serializers.DateTimeField(allow_null=True),
        "status_url": serializers.CharField(),
        "download_url": serializers.CharField(allow_null=True, help_text=_("Once the status is done.")),
    },
)


def job_body(job: ExportJob) -> dict:
    body = exports.job_state(job)
    body["status_url"] = reverse("api-export-job", args=[job.pk])
    body["download_url"] = (
        reverse("api-export-job-download", args=[job.pk]) if job.status == ExportStatus.DONE else None
    )
    return body


def _export_schema(name: str, list_name: str, file_format: str):
    """The schema of one export operation: the file, or (XLSX) 202 with the job."""
    media_type = exports.CONTENT_TYPES[file_format].split(";")[0]
    responses = {
        (200, media_type): OpenApiResponse(
            OpenApiTypes.BINARY,
            description=_(
                "The file: a header row, then a row per object (CSV: UTF-8 with a byte-order mark)."
            ),
        )
    }
    if file_format == exports.XLSX:
        responses[202] = OpenApiResponse(
            JOB_SERIALIZER,
            description=_("More rows than a request builds: the workbook is built in the background."),
        )
    description = _(
        "The %(list)s the caller may see (counsellors their scope, staff all), filtered as the list "
        "endpoint is, as a file; headers in the request's language. Cells that a spreadsheet would "
        "read as a formula begin with an apostrophe."
    ) % {"list": list_name}
    return extend_schema(
        operation_id=f"exports_{name}_{file_format}", responses=responses, description=description
    )


class ExportView(generics.GenericAPIView):
    """GET: the export `export` as `file_format`; the subclass names its list's filter set."""

    export: exports.Export
    file_format: str = exports.CSV
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = [DjangoFilterBackend]
    content_negotiation_class = _AnyAccept
    schema = ExportSchema()

    def get(self, request, *args, **kwargs):
        if not self.export.may_export(request.user):
            raise PermissionDenied(_("Exports are for trade counsellors and staff."))
        try:
            answer = exports.respond(self.export, request.user, request.query_params, self.file_format)
        except exports.InvalidFilters as error:
            raise ValidationError(error.errors) from None
        if isinstance(answer, ExportJob):
            return Response(job_body(answer), status=status.HTTP_202_ACCEPTED)
        return answer


def export_views(export: exports.Export, *, model, list_name) -> dict[str, type[ExportView]]:
    """The CSV and the XLSX view of `export` ({"csv": view, "xlsx": view}), each with its own
    schema; `model` is the list's (the schema's filters), `list_name` says what it lists."""
    views = {}
    for file_format in exports.FORMATS:

        def get(self, request, *args, **kwargs):
            return ExportView.get(self, request, *args, **kwargs)

        get = _export_schema(export.name, list_name, file_format)(get)
        name = f"{export.name.title()}{file_format.upper()}ExportView"
        views[file_format] = type(
            name,
            (ExportView,),
            {
                "export": export,
                "file_format": file_format,
                "filterset_class": export.filterset_class,
                "queryset": model.objects.none(),
                "get": get,
                "__doc__": f"{export.name}.{file_format}",
            },
        )
    return views


def export_urls(views: dict[str, type[ExportView]]) -> list:
    """`exports/<name>.csv` and `.xlsx` (`export_views`' views), named `export-<name>-<format>`."""
    return [
        path(
            f"exports/{view.export.name}.{file_format}",
            view.as_view(),
            name=f"export-{view.export.name}-{file_format}",
        )
        for file_format, view in views.items()
    ]


class ExportJobView(APIView):
    """A large export's progress: its requester and staff (404 for anyone else)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: JOB_SERIALIZER})
    def get(self, request, pk: int):
        job = exports.jobs_visible_to(request.user).filter(pk=pk).first()
        if job is None:
            raise NotFound()
        return Response(job_body(job))


class ExportJobDownloadView(APIView):
    """A large export's file, once built: its requester and staff (404 until then, and for others)."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        responses={
            (200, exports.CONTENT_TYPES[exports.XLSX]): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The workbook.")
            )
        }
    )
    def get(self, request, pk: int):
        job = exports.jobs_visible_to(request.user).filter(pk=pk).first()
        response = exports.job_file_response(job) if job is not None else None
        if response is None:
            raise NotFound()
        return response
