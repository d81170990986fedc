"""The HS import service, its command, and the data migration that ships the taxonomy."""

import importlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from taxonomy.hs import HS_FILE, HSImportError, SkippedRow, import_hs_codes, roman_to_int
from taxonomy.models import Sector, SectorLevel, SectorTerm

REAL_FILE = Path(__file__).parents[3] / "shared/data/hs/harmonized-system.csv"
LEVEL_COUNTS = {
    SectorLevel.SECTION: 21,
    SectorLevel.CHAPTER: 97,
    SectorLevel.HEADING: 1229,
    SectorLevel.SUBHEADING: 5613,
}
ALL_NODES = sum(LEVEL_COUNTS.values())

migration = importlib.import_module("catalogue.migrations.0002_load_hs_taxonomy")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Reasons and command output are translatable; these tests read the English."""
    with translation.override("en"):
        yield


def clear_tree():
    for level in (6, 4, 2, 0):  # children before their parents (PROTECT)
        Sector.objects.filter(level=level).delete()


def level_counts() -> dict[int, int]:
    return {level: Sector.objects.filter(level=level).count() for level in LEVEL_COUNTS}


def write_csv(path: Path, text: str) -> Path:
    path.write_text("\ufeff" + text, encoding="utf-8")
    return path


# --- The real file ----------------------------------------------------------------


@pytest.mark.skipif(not REAL_FILE.is_file(), reason="../shared/data/hs is not on this machine")
def test_the_real_file_loads_every_level_and_a_second_run_changes_nothing():
    clear_tree()

    first = import_hs_codes(path=REAL_FILE)

    assert level_counts() == LEVEL_COUNTS
    assert (first.created, first.updated, first.unchanged) == (ALL_NODES, 0, 0)
    assert first.skipped == [SkippedRow(6941, "TOTAL", "total row, not a code")]

    second = import_hs_codes(path=REAL_FILE)
    assert (second.created, second.updated, second.unchanged) == (0, 0, ALL_NODES)
    assert second.skipped == first.skipped


@pytest.mark.skipif(not REAL_FILE.is_file(), reason="../shared/data/hs is not on this machine")
def test_the_real_file_builds_the_tree():
    clear_tree()
    import_hs_codes(path=REAL_FILE)

    section = Sector.objects.get(code="XVI")
    assert (section.level, section.parent_id, section.section_id, section.position) == (0, None, None, 16)
    assert section.name.startswith("Machinery and mechanical appliances")
    chapter = Sector.objects.get(code="84")
    assert (chapter.parent_id, chapter.section_id) == ("XVI", "XVI")
    assert "ماشین\u200cآلات" in chapter.name_fa
    heading = Sector.objects.get(code="8418")
    assert (heading.level, heading.parent_id, heading.section_id) == (4, "84", "XVI")
    assert heading.name.startswith("Refrigerators, freezers")  # a quoted field with commas
    subheading = Sector.objects.get(code="841810")
    assert (subheading.level, subheading.parent_id, subheading.section_id) == (6, "8418", "XVI")
    # Sections in roman order; the first name is capitalised (the file has "live animals").
    assert list(Sector.objects.filter(level=0).values_list("position", flat=True)) == list(range(1, 22))
    assert Sector.objects.get(code="I").name == "Live animals; animal products"
    # Every section, chapter and heading has a name in every language.
    for column in ("name_fa", "name_ar", "name_ru", "name_tr"):
        assert not Sector.objects.filter(level__lte=4, **{f"{column}__isnull": True}).exists()
    # Every code sits under its parent's section; only chapter 99 is outside the 21 sections.
    assert set(Sector.objects.filter(level__gt=0, section=None).values_list("code", flat=True)) == {
        "99",
        "9999",
        "999999",
    }


def test_the_shipped_file_agrees_with_the_data_migration():
    """The migration and the import read the same files the same way: nothing to change."""
    report = import_hs_codes(path=HS_FILE)

    assert (report.created, report.updated, report.unchanged) == (0, 0, ALL_NODES)
    assert [row.code for row in report.skipped] == ["TOTAL"]


def test_an_operators_names_are_kept_the_files_fill_the_rest_and_english_follows_the_file():
    Sector.objects.filter(code="8418").update(
        name_fa="یخچال و فریزر", name_ru="Холодильники", edited_names=["fa"]
    )
    Sector.objects.filter(code="84").update(name_fa=None, name_tr=None)
    Sector.objects.filter(code="8413").update(name_ar="مضخات قديمة")  # an older shipped name
    Sector.objects.filter(code="0101").update(name="Old name")

    report = import_hs_codes(path=HS_FILE)

    assert (report.created, report.updated) == (0, 4)
    fridges = Sector.objects.get(code="8418")
    assert fridges.name_fa == "یخچال و فریزر"  # the operator's
    assert fridges.name_ru.startswith("Холодильники, морозильники")  # not marked: the file's
    chapter = Sector.objects.get(code="84")
    assert chapter.name_fa.startswith("رآکتورهای هسته\u200cای") and chapter.name_tr.startswith("Nükleer")
    assert Sector.objects.get(code="8413").name_ar.startswith("مضخات للسوائل")
    assert Sector.objects.get(code="0101").name == Sector.objects.get(code="0101").name_en
    assert Sector.objects.get(code="0101").name_en == "Horses, asses, mules and hinnies; live"


def test_every_section_chapter_and_heading_has_a_name_in_every_language():
    for language in ("fa", "ar", "ru", "tr"):
        column = f"name_{language}"
        unnamed = Sector.objects.filter(level__lte=SectorLevel.HEADING).filter(
            **{f"{column}__isnull": True}
        ) | Sector.objects.filter(level__lte=SectorLevel.HEADING, **{column: ""})
        assert not unnamed.exists(), (language, list(unnamed.values_list("code", flat=True)[:5]))
    assert Sector.objects.get(code="8418").name_ar.startswith("ثلاجات")
    assert Sector.objects.get(code="8418").name_tr.startswith("Buzdolapları")


def test_name_columns_in_the_file_win_and_are_marked_as_an_operators(tmp_path):
    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level,name_ar,name_ru\n"
        'XVI,8418,"Refrigerators, freezers",84,4,ثلاجات منزلية,\n'
        "XVI,8413,Pumps for liquids,84,4,,Насосы для жидкостей\n",
    )
    (tmp_path / "sections.csv").write_text("section,name\nXVI,Machinery\n", encoding="utf-8")
    write_csv(tmp_path / "hs_names.csv", "code,fa,ru\n8418,یخچال,Холодильники из файла\n")

    report = import_hs_codes(path=path)

    assert report.skipped == [] and report.names_ignored == []
    fridges = Sector.objects.get(code="8418")
    assert (fridges.name_ar, fridges.name_fa, fridges.name_ru) == (
        "ثلاجات منزلية",
        "یخچال",
        "Холодильники из файла",
    )
    assert fridges.edited_names == ["ar"]
    assert Sector.objects.get(code="8413").name_ru == "Насосы для жидкостей"
    # The next import with the shipped names keeps what the file's columns wrote.
    import_hs_codes(path=HS_FILE)
    assert Sector.objects.get(code="8418").name_ar == "ثلاجات منزلية"
    assert Sector.objects.get(code="8418").name_ru.startswith("Холодильники, морозильники")


def test_a_names_file_with_name_prefixed_columns_and_bad_cells_reports_each_by_line(tmp_path):
    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level,name_tr\n"
        'XVI,8418,"Refrigerators, freezers",84,4,Buz\x00dolabı\n'
        "XVI,8413,Pumps for liquids,84,4,Pompalar\n",
    )
    write_csv(
        tmp_path / "hs_names.csv",
        f"code,name_ar,name_ru\n8418,ثلاجات,Холодильники\n8413,{'م' * 601},Насосы\x1b\n",
    )

    report = import_hs_codes(path=path)

    assert [(row.line, row.code) for row in report.names_ignored] == [(2, "8418"), (3, "8413"), (3, "8413")]
    reasons = [row.reason for row in report.names_ignored]
    assert reasons[0] == "name_tr: the name contains the control character U+0000, which is not allowed"
    assert reasons[1].startswith("hs_names.csv: the ar name is 601 characters long")
    assert (
        reasons[2] == "hs_names.csv: the ru name contains the control character U+001B, which is not allowed"
    )
    fridges, pumps = Sector.objects.get(code="8418"), Sector.objects.get(code="8413")
    assert (fridges.name_ar, fridges.name_ru) == ("ثلاجات", "Холодильники")
    assert fridges.name_tr.startswith("Buzdolapları")  # the bad cell left the name as it was
    assert pumps.name_tr == "Pompalar" and pumps.name_ru.startswith("Насосы жидкостные")


def test_a_names_file_without_a_name_column_is_refused(tmp_path):
    path = write_csv(
        tmp_path / "hs.csv", "section,hscode,description,parent,level\nXVI,84,Machinery,TOTAL,2\n"
    )
    write_csv(tmp_path / "hs_names.csv", "code,de\n84,Maschinen\n")
    with pytest.raises(HSImportError, match="has no name column"):
        import_hs_codes(path=path)


def test_the_import_keeps_the_search_keys_and_vocabulary_current(tmp_path):
    from taxonomy.search import pick_sectors

    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level,name_ru\nXVI,847960,Evaporative air coolers,8479,6,Охладители воздуха испарительные болотные\n",
    )

    import_hs_codes(path=path)

    assert " болотные " in Sector.objects.get(code="847960").search_keys
    assert SectorTerm.objects.filter(word="болотные").exists()
    assert [sector.code for sector in pick_sectors("болотный", language="ru")] == ["847960"]


# --- A hand-made file: byte-order mark, quoted commas, bad rows --------------------

HAND_MADE = (
    "section,hscode,description,parent,level\n"  # 1
    'XVI,84,"Nuclear reactors, boilers, machinery",TOTAL,2\n'  # 2
    'XVI,8418,"Refrigerators, freezers; heat pumps",84,4\n'  # 3
    'XVI,841810,"Refrigerator-freezers, combined",8418,6\n'  # 4
    "XVI,84A9,A bad code,84,4\n"  # 5
    "XVI,8501,Motors with an unknown parent,85,4\n"  # 6
    "XVI,8419,Wrong level,84,5\n"  # 7
    "XVI,8418,A duplicate,84,4\n"  # 8
    "XVI,841820,Length not matching the level,8418,4\n"  # 9
    "XXX,86,A section that does not exist,TOTAL,2\n"  # 10
    "XVI,8420,A missing parent,,4\n"  # 11
    "XVI,842010,The child of a skipped row,8420,6\n"  # 12
    "XVI,8421,The parent of another code,84,6\n"  # 13
    "\n"  # 14: blank lines are ignored
    'XVI,8422,"Dish washing machines,\nover two lines",84,4\n'  # 15-16
    "XVI,8423,Weighing machinery,8418,4\n"  # 17
    "TOTAL,TOTAL,Total of all HS2022 commodities,TOTAL,5\n"  # 18
)


def test_a_hand_made_file_lands_its_good_rows_and_reports_each_bad_one(tmp_path):
    clear_tree()
    path = write_csv(tmp_path / "hs.csv", HAND_MADE)

    report = import_hs_codes(path=path)

    assert [(row.line, row.code) for row in report.skipped] == [
        (5, "84A9"),
        (6, "8501"),
        (7, "8419"),
        (8, "8418"),
        (9, "841820"),
        (10, "86"),
        (11, "8420"),
        (12, "842010"),
        (13, "8421"),
        (17, "8423"),
        (18, "TOTAL"),
    ]
    reasons = {row.code: row.reason for row in report.skipped}
    assert reasons["84A9"] == "code '84A9' is not a 4-digit number"
    assert reasons["8501"] == "unknown parent '85'"
    assert reasons["8419"] == "unknown level '5' (expected 2, 4 or 6)"
    assert reasons["8418"] == "duplicate code, first on line 3"
    assert reasons["841820"] == "code '841820' is not a 4-digit number"
    assert reasons["86"] == "unknown section 'XXX'"
    assert reasons["8420"] == "parent missing"
    assert reasons["842010"] == "unknown parent '8420'"
    assert reasons["8421"] == "code '8421' is not a 6-digit number"
    assert reasons["8423"] == "parent '8418' does not match the code"
    assert reasons["TOTAL"] == "total row, not a code"

    assert set(Sector.objects.filter(level__gt=0).values_list("code", flat=True)) == {
        "84",
        "8418",
        "841810",
        "8422",
    }
    assert Sector.objects.get(code="84").name == "Nuclear reactors, boilers, machinery"
    assert Sector.objects.get(code="8418").name == "Refrigerators, freezers; heat pumps"
    assert Sector.objects.get(code="8422").name == "Dish washing machines, over two lines"
    assert Sector.objects.get(code="841810").parent_id == "8418"
    assert (report.created, report.updated, report.unchanged) == (21 + 4, 0, 0)


def test_codes_may_hang_on_parents_already_in_the_database(tmp_path):
    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level\nXVI,841899,Other parts of refrigerators,8418,6\n"
        "XV,841898,In the wrong section,8418,6\n",
    )

    report = import_hs_codes(path=path)

    assert report.skipped == [SkippedRow(3, "841898", "section 'XV' differs from the parent's (XVI)")]
    # 841899 exists in HS 2022 with another name: updated, not duplicated.
    assert (report.created, report.updated) == (0, 1)
    assert Sector.objects.get(code="841899").name == "Other parts of refrigerators"


def test_columns_in_another_order_and_no_byte_order_mark(tmp_path):
    path = tmp_path / "hs.csv"
    path.write_text("level,hscode,parent,section,description\n2,84,TOTAL,XVI,Machinery\n", encoding="utf-8")

    import_hs_codes(path=path)

    assert Sector.objects.get(code="84").name == "Machinery"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        ("code,name\n84,Machinery\n", "lacks the column(s) section, hscode, description, parent, level"),
        ("", "lacks the column(s)"),
    ],
)
def test_a_file_that_cannot_be_imported_raises_and_changes_nothing(tmp_path, content, message):
    path = tmp_path / "hs.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(HSImportError, match=re.escape(message)):
        import_hs_codes(path=path)
    assert Sector.objects.count() == ALL_NODES


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "hs.csv"
    path.write_bytes("section,hscode,description,parent,level\nXVI,84,Máquinas,TOTAL,2\n".encode("latin-1"))
    with pytest.raises(HSImportError, match="not UTF-8"):
        import_hs_codes(path=path)


def test_roman_numerals():
    assert [roman_to_int(n) for n in ["I", "IV", "IX", "XIV", "XIX", "XXI"]] == [1, 4, 9, 14, 19, 21]
    for bad in ["", "IIII", "VX", "TOTAL", "xvi"]:
        with pytest.raises(ValueError):
            roman_to_int(bad)


# --- The command ------------------------------------------------------------------


def test_the_command_prints_counts_and_skipped_rows(tmp_path):
    clear_tree()
    path = write_csv(tmp_path / "hs.csv", HAND_MADE)
    out = StringIO()

    call_command("import_hs_codes", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert "line 5: 84A9: code '84A9' is not a 4-digit number" in lines
    assert "line 8: 8418: duplicate code, first on line 3" in lines
    assert "line 18: TOTAL: total row, not a code" in lines
    assert lines[-1] == "Created 25, updated 0, unchanged 0, skipped 11."


def test_the_command_reports_each_name_left_out(tmp_path):
    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level,name_ar\nXVI,8418,Refrigerators,84,4,ثلاجات\x07\n",
    )
    out = StringIO()

    call_command("import_hs_codes", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert (
        "line 2: 8418: name_ar: the name contains the control character U+0007, which is not allowed" in lines
    )
    assert lines[-2:] == ["Names left out: 1.", "Created 0, updated 1, unchanged 21, skipped 0."]


def test_the_command_is_idempotent_on_the_shipped_file():
    out = StringIO()
    call_command("import_hs_codes", str(HS_FILE), stdout=out)
    assert out.getvalue().splitlines() == [
        "line 6941: TOTAL: total row, not a code",
        f"Created 0, updated 0, unchanged {ALL_NODES}, skipped 1.",
    ]


def test_the_command_reports_a_missing_file_or_wrong_columns_without_a_traceback(tmp_path):
    with pytest.raises(CommandError, match="No such file: .*missing.csv"):
        call_command("import_hs_codes", str(tmp_path / "missing.csv"), stdout=StringIO())
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code;name\n84;Machinery\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_hs_codes", str(wrong), stdout=StringIO())


# --- The data migration -----------------------------------------------------------


def test_a_fresh_database_already_offers_every_code_at_every_level():
    assert level_counts() == LEVEL_COUNTS
    heading = Sector.objects.get(code="8418")
    assert (heading.level, heading.parent_id, heading.section_id) == (4, "84", "XVI")
    assert Sector.objects.get(code="84").name_fa.startswith("رآکتورهای هسته\u200cای")
    assert Sector.objects.get(code="XVI").name_fa.startswith("ماشین\u200cآلات")
    assert Sector.objects.get(code="841810").section_id == "XVI"
    assert not Sector.objects.filter(level__lte=2, name_fa__isnull=True).exists()
    # Every language's names (taxonomy 0003) and the search keys built from them.
    fridges = Sector.objects.get(code="8418")
    assert fridges.name_ar.startswith("ثلاجات") and fridges.name_ru.startswith("Холодильники")
    assert " холодильники " in fridges.search_keys and " buzdolapları " in fridges.search_keys
    assert SectorTerm.objects.filter(word="холодильники").exists()
    assert not Sector.objects.filter(search_keys="").exists()


def test_the_data_migration_reverses_and_reapplies():
    class SchemaEditor:
        pass

    schema_editor = SchemaEditor()
    schema_editor.connection = connection
    # The models as that migration knew them (the HS tree was the catalogue's then).
    historical_apps = MigrationLoader(connection).project_state(("catalogue", "0002_load_hs_taxonomy")).apps

    migration.unload_hs_taxonomy(historical_apps, schema_editor)
    assert not Sector.objects.exists()

    migration.load_hs_taxonomy(historical_apps, schema_editor)
    migration.load_hs_taxonomy(historical_apps, schema_editor)  # rows already there are left alone
    assert level_counts() == LEVEL_COUNTS


# --- A bad row costs that row, never the file (issue 12) ---------------------------------------


@pytest.mark.parametrize(
    ("description", "reason"),
    [
        ("Pumps\x00 for liquids", "control character U+0000"),
        ("Pumps \x1b[31m", "control character U+001B"),
        ("P" * 601, "601 characters long; at most 600"),
    ],
)
def test_a_bad_description_skips_its_row_by_line_and_the_others_land(tmp_path, description, reason):
    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level\n"
        "XVI,841311,Pumps for dispensing fuel,8413,6\n"
        f'XVI,841319,"{description}",8413,6\n'
        "XVI,841320,Hand pumps,8413,6\n",
    )

    report = import_hs_codes(path=path)

    assert [(row.line, row.code) for row in report.skipped] == [(3, "841319")]
    assert reason in report.skipped[0].reason
    assert Sector.objects.get(code="841311").name == "Pumps for dispensing fuel"
    assert Sector.objects.get(code="841320").name == "Hand pumps"
    assert "\x00" not in Sector.objects.get(code="841319").name


def test_stray_bytes_huge_cells_and_crlf_cost_one_row_each(tmp_path):
    from portal.csvfiles import MAX_CELL_CHARS

    path = tmp_path / "hs.csv"
    path.write_bytes(
        b"\xef\xbb\xbfsection,hscode,description,parent,level\r\n"
        b"XVI,841311,Pumps for dispensing fuel,8413,6\r\n"
        b"XVI,841319,Pumps \xe9,8413,6\r\n"
        b"XVI,841320," + b"x" * (MAX_CELL_CHARS + 1) + b",8413,6\r\n"
        b"XVI,841330,Fuel pumps for engines,8413,6\r\n"
    )

    report = import_hs_codes(path=path)

    assert [row.line for row in report.skipped] == [3, 4]
    assert "0xe9" in report.skipped[0].reason and str(MAX_CELL_CHARS) in report.skipped[1].reason
    assert Sector.objects.get(code="841311").name == "Pumps for dispensing fuel"
    assert Sector.objects.get(code="841330").name == "Fuel pumps for engines"


def test_a_row_the_database_refuses_is_written_alone_and_reported(tmp_path, monkeypatch):
    """What the checks let through and the database refuses: the rows are written one by one,
    each in its own savepoint, and only the refused one (and its children) are skipped."""
    from django.db import DataError

    manager = type(Sector.objects)
    original = manager.bulk_create

    def refusing(self, objs, *args, **kwargs):
        if any(obj.code == "8499" for obj in objs):
            raise DataError("value too long for type character varying(600)")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(manager, "bulk_create", refusing)
    path = write_csv(
        tmp_path / "hs.csv",
        "section,hscode,description,parent,level\n"
        "XVI,849910,Child of the refused,8499,6\n"
        "XVI,8499,Refused by the database,84,4\n"
        "XVI,841399,Other pumps,8413,6\n",
    )

    report = import_hs_codes(path=path)

    assert [(row.line, row.code) for row in report.skipped] == [(2, "849910"), (3, "8499")]
    assert "database refused" in report.skipped[1].reason and "8499" in report.skipped[0].reason
    assert Sector.objects.get(code="841399").name == "Other pumps"
    assert not Sector.objects.filter(code__in=["8499", "849910"]).exists()
