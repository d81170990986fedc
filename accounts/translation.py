"""The company texts written in several languages (portal/content.py says which a reader gets)."""

from portal.content import register_texts

from .models import BuyerProfile, ProducerProfile

register_texts(ProducerProfile, "name", "description")
register_texts(BuyerProfile, "company_name", "description")
