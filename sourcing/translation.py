"""A request's texts in several languages (portal/content.py says which a reader gets)."""

from portal.content import register_texts

from .models import BuyingRequest

register_texts(BuyingRequest, "title", "description")
