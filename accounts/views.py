"""Onboarding, profile and product pages for producers and buyers.

The views route and render; what counts as done lives in `accounts.onboarding`,
every write goes through `accounts.services` or `catalogue.services`, and a
service's ValidationError is shown beside the form's fields.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalogue.models import Product
from catalogue.selectors import products_of_producer
from catalogue.services import product_create, product_delete, product_update
from portal.bidi import isolate

from . import onboarding
from .forms import (
    BuyerCompanyForm,
    BuyerDemandForm,
    BuyerProfileForm,
    ProducerCompanyForm,
    ProducerMarketsForm,
    ProducerProfileForm,
    ProductForm,
    ServiceForm,
    add_service_errors,
)
from .models import Role
from .services import (
    buyer_profile_create,
    buyer_profile_update,
    producer_profile_create,
    producer_profile_update,
)

# Which form edits which step of whose profile.
STEP_FORMS: dict[tuple[str, str], type[ServiceForm]] = {
    (Role.PRODUCER, onboarding.COMPANY): ProducerCompanyForm,
    (Role.PRODUCER, onboarding.MARKETS): ProducerMarketsForm,
    (Role.BUYER, onboarding.COMPANY): BuyerCompanyForm,
    (Role.BUYER, onboarding.DEMAND): BuyerDemandForm,
}
PROFILE_FORMS: dict[str, type[ServiceForm]] = {
    Role.PRODUCER: ProducerProfileForm,
    Role.BUYER: BuyerProfileForm,
}


def roles_required(*roles: str, staff: bool = False) -> Callable:
    """Signed in with one of `roles` (or portal staff when `staff`); else 403."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if user.role not in roles and not (staff and user.is_portal_staff):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _save_profile(*, user, profile, data: dict[str, Any]):
    """Create the user's profile on the first save, update it afterwards."""
    if user.role == Role.PRODUCER:
        if profile is None:
            return producer_profile_create(actor=user, data=data)
        return producer_profile_update(profile=profile, actor=user, data=data)
    if profile is None:
        return buyer_profile_create(actor=user, data=data)
    return buyer_profile_update(profile=profile, actor=user, data=data)


def _submit(form: ServiceForm, save: Callable[[dict[str, Any]], Any]) -> bool:
    """Validate the form, call the service; on a service error show it on the form."""
    if not form.is_valid():
        return False
    try:
        save(form.service_data())
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


# --- Onboarding ----------------------------------------------------------------


@roles_required(Role.PRODUCER, Role.BUYER)
def onboarding_start(request: HttpRequest) -> HttpResponse:
    """Send the user to the first step still missing, or to the dashboard once ready."""
    completeness = onboarding.completeness_for_user(request.user)
    step = completeness.first_missing
    if step is None:
        messages.success(request, _("Your profile is complete and ready for matching."))
        return redirect("dashboard")
    return redirect("accounts:onboarding_step", step=step.key)


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def onboarding_step(request: HttpRequest, step: str) -> HttpResponse:
    user = request.user
    if step not in onboarding.steps_for_role(user.role):
        raise Http404
    completeness = onboarding.completeness_for_user(user)
    profile = completeness.profile
    if step != onboarding.COMPANY and profile is None:
        messages.info(request, _("Start with your company; the other steps follow."))
        return redirect("accounts:onboarding_step", step=onboarding.COMPANY)
    if step == onboarding.PRODUCTS:
        return _products_step(request, completeness)

    form_class = STEP_FORMS[(user.role, step)]
    if request.method == "POST":
        form = form_class(request.POST)
        if _submit(form, lambda data: _save_profile(user=user, profile=profile, data=data)):
            messages.success(request, _("Saved."))
            return redirect("accounts:onboarding")
    else:
        form = form_class(initial=form_class.initial_from(profile))
    return render(
        request,
        "accounts/onboarding/step.html",
        {"completeness": completeness, "current": completeness.step(step), "form": form},
    )


def _products_step(request: HttpRequest, completeness: onboarding.Completeness) -> HttpResponse:
    producer = completeness.profile
    if request.method == "POST":
        form = ProductForm(request.POST, compact=True)
        if _submit(form, lambda data: product_create(producer=producer, actor=request.user, data=data)):
            messages.success(request, _("Product added. Add another, or continue."))
            return redirect("accounts:onboarding_step", step=onboarding.PRODUCTS)
    else:
        form = ProductForm(compact=True)
    return render(
        request,
        "accounts/onboarding/products.html",
        {
            "completeness": completeness,
            "current": completeness.step(onboarding.PRODUCTS),
            "form": form,
            "products": products_of_producer(producer),
        },
    )


# --- Profile -------------------------------------------------------------------


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    completeness = onboarding.completeness_for_user(user)
    profile = completeness.profile
    form_class = PROFILE_FORMS[user.role]
    if request.method == "POST":
        form = form_class(request.POST)
        if _submit(form, lambda data: _save_profile(user=user, profile=profile, data=data)):
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = form_class(initial=form_class.initial_from(profile))
    return render(request, "accounts/profile_form.html", {"completeness": completeness, "form": form})


# --- A producer's products ------------------------------------------------------


def _producer_profile_or_onboarding(request: HttpRequest):
    profile = getattr(request.user, "producer_profile", None)
    if profile is None:
        messages.info(request, _("Tell us about your company first."))
    return profile


def _editable_product(request: HttpRequest, pk: int) -> Product:
    """The product if the user may edit it; another producer's product does not exist (404)."""
    products = Product.objects.select_related("producer", "hs_code")
    if not request.user.is_portal_staff:
        products = products.filter(producer__owner=request.user)
    return get_object_or_404(products, pk=pk)


@roles_required(Role.PRODUCER)
@require_http_methods(["GET"])
def product_list(request: HttpRequest) -> HttpResponse:
    profile = _producer_profile_or_onboarding(request)
    if profile is None:
        return redirect("accounts:onboarding_step", step=onboarding.COMPANY)
    return render(
        request,
        "accounts/products/list.html",
        {"producer": profile, "products": products_of_producer(profile)},
    )


@roles_required(Role.PRODUCER)
@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    profile = _producer_profile_or_onboarding(request)
    if profile is None:
        return redirect("accounts:onboarding_step", step=onboarding.COMPANY)
    if request.method == "POST":
        form = ProductForm(request.POST)
        if _submit(form, lambda data: product_create(producer=profile, actor=request.user, data=data)):
            messages.success(request, _("Product added."))
            return redirect("accounts:products")
    else:
        form = ProductForm()
    return render(request, "accounts/products/form.html", {"form": form, "product": None})


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = _editable_product(request, pk)
    if request.method == "POST":
        form = ProductForm(request.POST)
        if _submit(form, lambda data: product_update(product=product, actor=request.user, data=data)):
            messages.success(request, _("Product saved."))
            return redirect(_after_product_change(request, product))
    else:
        form = ProductForm(initial=ProductForm.initial_from(product))
    return render(request, "accounts/products/form.html", {"form": form, "product": product})


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["GET", "POST"])
def product_remove(request: HttpRequest, pk: int) -> HttpResponse:
    product = _editable_product(request, pk)
    if request.method == "POST":
        product_delete(product=product, actor=request.user)
        messages.success(request, _("“%(name)s” has been deleted.") % {"name": isolate(product.name)})
        return redirect(_after_product_change(request, product))
    return render(request, "accounts/products/confirm_delete.html", {"product": product})


def _after_product_change(request: HttpRequest, product: Product) -> str:
    # Staff edit other producers' products: they go back to their dashboard.
    if product.producer.owner_id == request.user.pk:
        return reverse("accounts:products")
    return reverse("dashboard")
