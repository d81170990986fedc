"""Every write to the catalogue: validated per field, atomic, search index kept current; each
product written is announced to the apps above (the matcher) by `catalogue.signals`."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import ProducerProfile, User
from portal import validation as rules
from portal.audit import records_actor
from portal.translations_input import TEXT_INPUTS, apply_texts_input, initial_language
from taxonomy.models import CapacityUnit, Incoterm
from taxonomy.sectors import sector_for_code

from .models import Product
from .policies import can_edit_product
from .search import refresh_search_index
from .signals import product_changed

MAX_INCOTERMS = len(Incoterm.values)
NAME_LENGTH = rules.max_length(Product, "name")
DESCRIPTION_LENGTH = rules.max_length(Product, "description")
# The fields of a product its producer (or staff) writes, in the order the admin and the API
# show them: the one list (the services refuse the others; serializers and admin read it).
PRODUCT_FIELDS = (
    "name",
    "description",
    "hs_code",
    "annual_capacity",
    "available_capacity",
    "capacity_unit",
    "moq",
    "lead_time_days",
    "price_min",
    "price_max",
    "currency",
    "incoterms",
    "certifications",
    "is_active",
)


def _incoterms(values) -> list[str]:
    values = rules.as_list(values)
    rules.check_size(values, MAX_INCOTERMS, _("At most %(n)d Incoterms."))
    result: list[str] = []
    for value in values:
        code = str(value).strip().upper()
        if code not in Incoterm.values:
            raise ValidationError(
                _("“%(code)s” is not an Incoterm (2020)."), params={"code": rules.shown(value)}
            )
        result.append(code)
    return rules.unique(result)


def _lead_time(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a whole number of days.")) from None
    if not 0 <= days <= 730:
        raise ValidationError(_("Lead time must be between 0 and 730 days."))
    return days


def _apply_product_fields(product: Product, data: dict[str, Any]) -> None:
    """Validate `data` field by field onto `product`; raise every error at once."""
    errors = rules.FieldErrors()
    errors.reject_unknown(data, PRODUCT_FIELDS, also=TEXT_INPUTS)
    if "name" in data:
        product.name = (
            errors.check("name", rules.text_field, data["name"], max_length=NAME_LENGTH, required=True) or ""
        )
    if "description" in data:
        product.description = (
            errors.check(
                "description",
                rules.text_field,
                data["description"],
                max_length=DESCRIPTION_LENGTH,
                lines=True,
            )
            or ""
        )
    apply_texts_input(product, data, errors)
    if "hs_code" in data:
        sector = errors.check("hs_code", sector_for_code, data["hs_code"])
        if sector is not None:
            product.hs_code = sector
    for field in ("annual_capacity", "moq", "price_min", "price_max"):
        if field in data:
            setattr(product, field, errors.check(field, rules.positive_quantity, data[field]))
    if "available_capacity" in data:
        product.available_capacity = errors.check(
            "available_capacity", rules.positive_quantity, data["available_capacity"], allow_zero=True
        )
    if "capacity_unit" in data:
        if not isinstance(data["capacity_unit"], str) or data["capacity_unit"] not in CapacityUnit.values:
            errors.add(
                "capacity_unit", _("Choose one of: %(units)s.") % {"units": ", ".join(CapacityUnit.values)}
            )
        product.capacity_unit = data["capacity_unit"]
    if "lead_time_days" in data:
        product.lead_time_days = errors.check("lead_time_days", _lead_time, data["lead_time_days"])
    if "currency" in data:
        product.currency = errors.check("currency", rules.currency_code, data["currency"]) or product.currency
    if "incoterms" in data:
        product.incoterms = errors.check("incoterms", _incoterms, data["incoterms"]) or []
    if "certifications" in data:
        product.certifications = (
            errors.check("certifications", rules.certification_codes, rules.as_list(data["certifications"]))
            or []
        )
    if "is_active" in data:
        product.is_active = bool(data["is_active"])
    errors.raise_if_any()

    # Rules across fields, once each field is valid on its own.
    if product.annual_capacity is None:
        errors.add("annual_capacity", _("This field is required."))
    if not product.hs_code_id:
        errors.add("hs_code", _("This field is required."))
    if not product.capacity_unit:
        errors.add("capacity_unit", _("This field is required."))
    if "available_capacity" not in data and product.annual_capacity is not None:
        # Defaults to the annual capacity; a lowered annual capacity caps it.
        if product._state.adding or product.available_capacity is None:
            product.available_capacity = product.annual_capacity
        else:
            product.available_capacity = min(product.available_capacity, product.annual_capacity)
    elif product.available_capacity is None:
        product.available_capacity = product.annual_capacity
    if (
        product.annual_capacity is not None
        and product.available_capacity is not None
        and product.available_capacity > product.annual_capacity
    ):
        errors.add("available_capacity", _("Available capacity cannot exceed the annual capacity."))
    if (
        product.price_min is not None
        and product.price_max is not None
        and product.price_min > product.price_max
    ):
        errors.add("price_max", _("The maximum price must not be below the minimum price."))
    errors.raise_if_any()


def _announce(product: Product, *, changed=None, deleted: bool = False) -> None:
    """Tell the apps above (catalogue.signals) that `product` was created, updated (`changed`:
    the fields written) or deleted, inside this transaction: matchmaking rematches its
    producer once the transaction commits (debounced)."""
    product_changed.send(
        sender=Product,
        product=product,
        deleted=deleted,
        changed=None if changed is None else frozenset(changed),
    )


def _check_can_edit(actor: User, product: Product) -> None:
    if not can_edit_product(actor, product):
        raise PermissionDenied(_("You may not change this product."))


@transaction.atomic
@records_actor
def product_create(*, producer: ProducerProfile, actor: User, data: dict[str, Any]) -> Product:
    """A new product line for `producer`; the actor must own it or be staff."""
    product = Product(producer=producer)
    _check_can_edit(actor, product)
    product.original_language = initial_language(
        data, [data.get("name"), data.get("description")], fallback=get_language()
    )
    _apply_product_fields(product, data)
    product.save()
    refresh_search_index(product_ids=[product.pk])
    _announce(product)
    return product


@transaction.atomic
@records_actor
def product_update(*, product: Product, actor: User, data: dict[str, Any]) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    _check_can_edit(actor, product)
    _apply_product_fields(product, data)
    product.save()
    refresh_search_index(product_ids=[product.pk])
    _announce(product, changed=data)
    return product


@transaction.atomic
@records_actor
def product_delete(*, product: Product, actor: User) -> None:
    _check_can_edit(actor, product)
    product.delete()
    _announce(product, deleted=True)
