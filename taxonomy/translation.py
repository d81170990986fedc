"""HS names in every portal language; the original is the nomenclature's English."""

from portal.content import register_texts

from .models import Sector

register_texts(Sector, "name")
