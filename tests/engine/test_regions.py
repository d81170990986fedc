"""The UN M49 table shipped in taxonomy/data and its loader."""

from pathlib import Path

import pycountry
import pytest

from matchmaking.engine.regions import DEFAULT_REGIONS_PATH, default_regions, load_regions

REGIONS = default_regions()
SUBREGIONS = {
    "Africa": {"Northern Africa", "Sub-Saharan Africa"},
    "Americas": {"Latin America and the Caribbean", "Northern America"},
    "Asia": {"Central Asia", "Eastern Asia", "South-eastern Asia", "Southern Asia", "Western Asia"},
    "Europe": {"Eastern Europe", "Northern Europe", "Southern Europe", "Western Europe"},
    "Oceania": {"Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"},
}


def test_every_iso_3166_country_once():
    assert set(REGIONS.countries) == {c.alpha_2 for c in pycountry.countries}
    assert len(REGIONS.countries) == 249


def test_regions_and_subregions_are_m49_names():
    for country in REGIONS.countries.values():
        if country.iso2 == "AQ":  # Antarctica has no M49 region
            assert not country.region and REGIONS.market_region("AQ") is None
            continue
        assert country.subregion in SUBREGIONS[country.region], country


@pytest.mark.parametrize(
    ("iso2", "region"),
    [
        ("IR", "Southern Asia"),
        ("AF", "Southern Asia"),
        ("IQ", "Western Asia"),
        ("TR", "Western Asia"),
        ("AZ", "Western Asia"),
        ("AM", "Western Asia"),
        ("GE", "Western Asia"),
        ("AE", "Western Asia"),
        ("KZ", "Central Asia"),
        ("TM", "Central Asia"),
        ("RU", "Eastern Europe"),
        ("DE", "Western Europe"),
        ("GB", "Northern Europe"),
        ("GG", "Northern Europe"),  # only the continental sub-regions are split
        ("CN", "Eastern Asia"),
        ("EG", "Northern Africa"),
        ("NG", "Western Africa"),  # Sub-Saharan Africa splits into intermediate regions
        ("KE", "Eastern Africa"),
        ("BR", "South America"),  # and so does Latin America and the Caribbean
        ("MX", "Central America"),
        ("CU", "Caribbean"),
        ("US", "Northern America"),
        ("AU", "Australia and New Zealand"),
        ("iq", "Western Asia"),
    ],
)
def test_market_regions(iso2, region):
    assert REGIONS.market_region(iso2) == region


def test_unknown_country_has_no_region():
    assert REGIONS.market_region("XK") is None
    assert REGIONS.market_region("") is None


def test_load_regions_reads_the_three_required_columns(tmp_path: Path):
    path = tmp_path / "regions.csv"
    path.write_text("iso2,region,subregion\nIQ,Asia,Western Asia\ntr,Asia,Western Asia\n", encoding="utf-8")
    regions = load_regions(path)
    assert regions.market_region("TR") == "Western Asia"
    assert set(regions.countries) == {"IQ", "TR"}


@pytest.mark.parametrize("body", ["IQ,Asia,Western Asia\nIQ,Asia,Western Asia\n", "IRQ,Asia,Western Asia\n"])
def test_load_regions_rejects_bad_rows(tmp_path: Path, body):
    path = tmp_path / "regions.csv"
    path.write_text("iso2,region,subregion\n" + body, encoding="utf-8")
    with pytest.raises(ValueError):
        load_regions(path)


def test_the_data_readme_names_the_source():
    readme = (DEFAULT_REGIONS_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert "un_m49_regions.csv" in readme and "M49" in readme
