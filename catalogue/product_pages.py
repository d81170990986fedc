"""A producer's own product pages (/my/products/…) and the onboarding's products step.

The views route and render; every write goes through `catalogue.services`, whose
ValidationError is shown beside the form's fields. The products step is the view
the catalogue registers for the producer's onboarding (catalogue/onboarding_steps.py).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.companies import acts_for, company_q, producer_of
from accounts.models import Role
from accounts.onboarding import COMPANY, Completeness, Step
from accounts.views import roles_required
from portal.bidi import isolate

from . import pictures
from .forms import ProductForm
from .models import Product, ProductImage
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
        return render(request, "catalogue/products/form.html", _edit_context(product, form=form))
    else:
        form = ProductForm(initial=ProductForm.initial_from(product))
    return render(request, "catalogue/products/form.html", _edit_context(product, form=form))


def _edit_context(product: Product, **extra) -> dict:
    return {
        "product": product,
        "photos": list(product.images.all()),
        "max_photos": pictures.max_images(),
        "pdf_max_megabytes": pictures.pdf_max_bytes() // (1024 * 1024),
        "photo_max_megabytes": pictures.image_max_bytes() // (1024 * 1024),
        **extra,
    }


# --- A product's photos and catalogue (the edit page's sections) ---------------------------


def _pictures_product(request: HttpRequest, pk: int) -> Product:
    """The product if the user acts for its company or is staff; else it does not exist (404)."""
    products = Product.objects.select_related("producer", "hs_code")
    if not request.user.is_portal_staff:
        products = products.filter(company_q(request.user, "producer__"))
    return get_object_or_404(products, pk=pk)


def _photos_anchor(product: Product, section: str = "photos") -> str:
    return reverse("my_products:edit", kwargs={"pk": product.pk}) + f"#{section}"


def _refusals(error: ValidationError) -> str:
    return " ".join(message for messages_ in error.message_dict.values() for message in messages_)


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["POST"])
def product_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the photos chosen (several at once): each is judged alone; those refused are named."""
    product = _pictures_product(request, pk)
    uploads = request.FILES.getlist("images")
    if not uploads:
        messages.error(request, _("Choose one or more photos to add."))
    added = 0
    for upload in uploads:
        try:
            pictures.product_image_add(product=product, actor=request.user, upload=upload)
            added += 1
        except ValidationError as error:
            messages.error(
                request,
                _("“%(name)s” was not added: %(reason)s")
                % {"name": isolate(_shown_upload_name(upload)), "reason": _refusals(error)},
            )
    if added:
        messages.success(request, ngettext("%(n)d photo added.", "%(n)d photos added.", added) % {"n": added})
    return redirect(_photos_anchor(product))


def _shown_upload_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "").replace("\x00", "")
    return name[:60] or _("the file")


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["POST"])
def product_photo_change(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    """Move a photo earlier or later, or delete it (`action`: earlier, later, delete)."""
    product = _pictures_product(request, pk)
    image = get_object_or_404(
        ProductImage.objects.select_related("product__producer"), pk=image_id, product=product
    )
    action = request.POST.get("action")
    if action == "delete":
        pictures.product_image_delete(image=image, actor=request.user)
        messages.success(request, _("Photo deleted."))
    elif action in ("earlier", "later"):
        try:
            pictures.product_image_move(
                image=image, actor=request.user, step=-1 if action == "earlier" else 1
            )
        except ValidationError as error:
            messages.error(request, _refusals(error))
    else:
        messages.error(request, _("Choose what to do with the photo."))
    return redirect(_photos_anchor(product))


@roles_required(Role.PRODUCER, staff=True)
@require_http_methods(["POST"])
def product_catalogue(request: HttpRequest, pk: int) -> HttpResponse:
    """Set (a PDF in `catalogue_pdf`) or remove (`action` remove) the product's catalogue."""
    product = _pictures_product(request, pk)
    if request.POST.get("action") == "remove":
        pictures.product_catalogue_remove(product=product, actor=request.user)
        messages.success(request, _("Catalogue removed."))
        return redirect(_photos_anchor(product, "catalogue"))
    upload = request.FILES.get("catalogue_pdf")
    if upload is None:
        messages.error(request, _("Choose a PDF file."))
        return redirect(_photos_anchor(product, "catalogue"))
    try:
        pictures.product_catalogue_set(product=product, actor=request.user, upload=upload)
    except ValidationError as error:
        messages.error(request, _("The catalogue was not saved: %(reason)s") % {"reason": _refusals(error)})
    else:
        messages.success(request, _("Catalogue saved."))
    return redirect(_photos_anchor(product, "catalogue"))


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
