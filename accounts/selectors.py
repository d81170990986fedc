"""Reads of users and profiles, with their related rows fetched up front."""

from django.db.models import QuerySet

from .models import BuyerProfile


def buyers_for_listing() -> QuerySet[BuyerProfile]:
    return BuyerProfile.objects.prefetch_related("sought_sectors")
