"""Catalogue pages (HTML)."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_countries import countries

from accounts.badges import prefetch_badges
from accounts.models import ProducerProfile
from accounts.policies import can_view_producer_contacts
from portal.filters import FacetSelect
from portal.formatting import format_number
from taxonomy.provinces import PROVINCES, province_of

from . import selectors
from .facets import facet_counts
from .filtersets import ProductFilterSet
from .models import Product
from .pages import producer_page_context

# --- Catalogue: product search, product and producer pages ------------------------------

PRODUCTS_PER_PAGE = 24


def _prepare_filter_form(form) -> None:
    """Bootstrap classes on the filter form's inputs; the producer filter travels hidden."""
    # The section choices come from the database: read them once for validation and display.
    section = form.fields["section"]
    section.choices = [choice for choice in section.choices if choice[0]]
    for name, field in form.fields.items():
        if name == "producer":
            field.widget = forms.HiddenInput()
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


def _counted(label, count: int) -> str:
    return f"{label} ({format_number(count)})"


def _show_counts(form, counts: dict) -> None:
    """Each choice filter's values with how many products they would give (facets.facet_counts):
    the sections and units that give none are listed but disabled, the countries and
    provinces that give none are left out; the chosen value always stays."""
    data = form.cleaned_data
    for name in ("section", "capacity_unit"):
        field, found = form.fields[name], counts[name]
        choices = list(field.choices)  # "Any ..." first
        field.widget = FacetSelect(
            attrs=field.widget.attrs,
            disabled={value for value, _label in choices if value and not found[value]},
        )
        field.widget.choices = [
            (value, _counted(label, found[value]) if value else label) for value, label in choices
        ]
    found, chosen = counts["target_market"], data.get("target_market")
    names = dict(countries)
    market = form.fields["target_market"]
    market.widget.choices = [
        ("", _("Any country")),
        *(
            (code, _counted(names[code], found[code]))
            for code in sorted(names, key=lambda code: names[code])
            if found[code] or code == chosen
        ),
    ]
    found, chosen = counts["province"], (data.get("province") or "").strip()
    known = {province.name: province for province in PROVINCES}
    options = sorted(
        (
            (name, _counted(known[name].display_name() if name in known else name, n))
            for name, n in found.items()
            if n
        ),
        key=lambda option: option[1],
    )
    if chosen and chosen not in found:
        # A province typed (or linked) by another of its names, or one with no products now.
        province = province_of(chosen)
        options.insert(0, (chosen, province.display_name() if province is not None else chosen))
    province = form.fields["province"]
    province.widget = forms.Select(attrs=province.widget.attrs, choices=[("", _("Any province")), *options])
    province.widget.attrs["class"] = "form-select"


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: search and filter the products the visitor may see, 24 a page; the choice
    filters say how many products each of their values would give."""
    filterset = ProductFilterSet(request.GET, queryset=selectors.catalogue_products(user=request.user))
    _prepare_filter_form(filterset.form)
    valid = filterset.is_valid()
    if valid:
        _show_counts(filterset.form, facet_counts(filterset))
    products = filterset.qs if valid else Product.objects.none()
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    prefetch_badges(page.object_list, "producer__")  # who verified each producer, in 3 queries
    return render(
        request,
        "catalogue/product_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "valid": valid,
            "page": page,
            "searched": bool(valid and filterset.form.cleaned_data.get("search")),
            "filtered": any(value not in (None, "") for key, value in request.GET.items() if key != "page"),
        },
    )


@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One product, its HS path and its producer (contacts per `can_view_producer_contacts`)."""
    try:
        product = selectors.product_detail(user=request.user, pk=pk)
    except Product.DoesNotExist:
        raise Http404(_("No such product in the catalogue.")) from None
    producer = product.producer
    return render(
        request,
        "catalogue/product_detail.html",
        {
            "product": product,
            "producer": producer,
            "sector_path": selectors.sector_path(product.hs_code),
            "show_contacts": can_view_producer_contacts(request.user, producer),
            "more_products": selectors.producer_products(user=request.user, producer=producer).exclude(
                pk=product.pk
            )[:6],
            **producer_page_context(request.user, producer),
        },
    )


@require_GET
def producer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A producer's page: who it is, where it sells, its products (24 a page)."""
    try:
        producer = selectors.producer_detail(pk=pk)
    except ProducerProfile.DoesNotExist:
        raise Http404(_("No such producer.")) from None
    products = selectors.producer_products(user=request.user, producer=producer)
    return render(
        request,
        "catalogue/producer_detail.html",
        {
            "producer": producer,
            "show_contacts": can_view_producer_contacts(request.user, producer),
            "page": Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page")),
            **producer_page_context(request.user, producer),
        },
    )
