import pytest

import matchmaking.engine.prepare as prepare_module


@pytest.fixture(params=["share table", "bitmasks"])
def certification_path(request, monkeypatch):
    """Both ways of scoring certifications: a table per requirement set, or bit counting."""
    if request.param == "bitmasks":
        monkeypatch.setattr(prepare_module, "CERT_TABLE_LIMIT", -1)
