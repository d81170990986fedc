"""A producer's own product pages (/my/products/…) and the onboarding's products step.

The views route and render; every write goes through `catalogue.services`, whose
ValidationError is shown beside the form's fields. The products step is the view
the catalogue registers for the producer's onboarding (catalogue/onboarding_steps.py).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.companies import acts_for, company_q, producer_of
from accounts.models import Role
from accounts.onboarding import COMPANY, Completeness, Step
from accounts.views import roles_required
from portal.bidi import isolate

from .forms import ProductForm
from .models import Product
from .selectors import products_of_producer
from .services import product_create, product_delete, product_update

# --- The onboarding's products step -------------------------------------------------------


def products_step(request: HttpRequest, completeness: Completeness, current: Step) -> HttpResponse:
    """The producer's products so far and a short form to add one more."""
    producer = completeness.profile
    if request.method == "POST":
        form = ProductForm(request.POST, compact=True)
        if form.submit(lambda data: product_create(producer=producer, actor=request.user, data=data)):
            messages.success(request, _("Product added. Add another, or continue."))
            return redirect("accounts:onboarding_step", step=current.key)
    else:
        form = ProductForm(compact=True)
    return render(
        request,
        "catalogue/onboarding/products.html",
        {
            "completeness": completeness,
            "current": current,
            "form": form,
            "products": products_of_producer(producer),
        },
    )


# --- A producer's products ----------------------------------------------------------------


def _producer_profile_or_onboarding(request: HttpRequest):
    profile = producer_of(request.user)
    if profile is None:
        messages.info(request, _("Tell us about your company first."))
    return profile


def _editable_product(request: HttpRequest, pk: int) -> Product:
    """The product if the user may edit it (staff, or a member of its producer's company); another
    producer's product does not exist (404)."""
    products = Product.objects.select_related("producer", "hs_code")
    if not request.user.is_portal_staff:
        products = products.filter(company_q(request.user, "producer__"))
    return get_object_or_404(products, pk=pk)


@roles_required(Role.PRODUCER)
@require_http_methods(["GET"])
def product_list(request: HttpRequest) -> HttpResponse:
    profile = _producer_profile_or_onboarding(request)
    if profile is None:
        return redirect("accounts:onboarding_step", step=COMPANY)
    return render(
        request,
        "catalogue/products/list.html",
        {"producer": profile, "products": products_of_producer(profile)},
    )


@roles_required(Role.PRODUCER)
@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    profile = _producer_profile_or_onboarding(request)
    if profile is None:
        return redirect("accounts:onboarding_step", step=COMPANY)
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.submit(lambda data: product_create(producer=profile, actor=request.user, data=data)):
            messages.success(request, _("Product added."))
            return redirect("my_products:list")
    else:
        form = ProductForm()
    return render(request, "catalogue/products/form.html", {"form": form, "product": None})


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = _editable_product(request, pk)
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.submit(lambda data: product_update(product=product, actor=request.user, data=data)):
            messages.success(request, _("Product saved."))
            return redirect(_after_product_change(request, product))
    else:
        form = ProductForm(initial=ProductForm.initial_from(product))
    return render(request, "catalogue/products/form.html", {"form": form, "product": product})


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["GET", "POST"])
def product_remove(request: HttpRequest, pk: int) -> HttpResponse:
    product = _editable_product(request, pk)
    if request.method == "POST":
        product_delete(product=product, actor=request.user)
        messages.success(request, _("“%(name)s” has been deleted.") % {"name": isolate(product.name)})
        return redirect(_after_product_change(request, product))
    return render(request, "catalogue/products/confirm_delete.html", {"product": product})


def _after_product_change(request: HttpRequest, product: Product) -> str:
    # Staff edit other producers' products: they go back to their dashboard.
    if acts_for(request.user, product.producer):
        return reverse("my_products:list")
    return reverse("dashboard")
