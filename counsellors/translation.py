"""A market brief in several languages (portal/content.py says which a reader gets)."""

from portal.content import register_texts

from .models import MarketBrief

register_texts(MarketBrief, "title", "body")
