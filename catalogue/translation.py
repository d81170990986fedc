"""A product's name and description in several languages (portal/content.py says which a reader gets)."""

from portal.content import register_texts

from .models import Product

register_texts(Product, "name", "description")
