"""The two bundled packs against the regulations' own text (P-1, P-2, P-3,
E-3, E-4), and the validator's answers to bad packs."""

import copy
import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from spbe.policy.pack import PackError, bundled_packs, load_file, parse_duration, validate

SEEDS = Path(__file__).resolve().parents[3] / "policy_packs" / "sources"
TEGAL = "kabupaten-tegal-perbup-10-2024"
YOGYA = "kota-yogyakarta-kepwal-110-2026"
SEED_OF = {TEGAL: "perbup-tegal-10-2024.txt", YOGYA: "kepwal-yogyakarta-110-2026.txt"}
GROUP = {"Layanan Publik": "layanan_publik", "Layanan Administrasi Pemerintahan": "administrasi_pemerintahan"}


def pack(slug):
    return load_file(next(p for p in bundled_packs() if p.stem == slug))


def seed(slug) -> str:
    return (SEEDS / SEED_OF[slug]).read_text()


def jam(text: str) -> timedelta:
    """'1,5 jam' / '15 menit' / '48 jam' as written in the regulations."""
    number, unit = text.replace(",", ".").split()
    return timedelta(minutes=float(number)) if unit == "menit" else timedelta(hours=float(number))


@pytest.mark.parametrize("slug", [TEGAL, YOGYA])
def test_every_priority_cell_matches_the_regulation(slug):
    """P-2 (Tegal Tabel 3, Yogyakarta Tabel 2): all 12 cells."""
    rows = re.findall(
        r"^(Mayor|Minor)\t(Layanan [A-Za-z ]+?)\tPrioritas (\d)\tPrioritas (\d)\tPrioritas (\d)$", seed(slug), re.M
    )
    assert len(rows) == 4
    loaded = pack(slug)
    for impact, group, kritis, esensial, normal in rows:
        for cls, expected in zip(("kritis", "esensial", "normal"), (kritis, esensial, normal), strict=True):
            assert loaded.priority(impact.lower(), GROUP[group], cls) == int(expected), (impact, group, cls)


@pytest.mark.parametrize("slug", [TEGAL, YOGYA])
def test_every_response_target_matches_the_regulation(slug):
    """P-3 (Tegal Tabel 4, Yogyakarta Tabel 3): P1 < 15 min … P6 < 2.5 h."""
    rows = re.findall(r"^Prioritas (\d)\t<([\d,]+ (?:menit|jam))$", seed(slug), re.M)
    assert len(rows) == 6
    for priority, text in rows:
        assert pack(slug).response_target(int(priority)) == jam(text)


def test_tegal_user_service_targets_match_tabel_2():
    """P-1: the five cells Tabel 2 gives, from the regulation."""
    rows = re.findall(r"^(Layanan [A-Za-z ]+?)\t(Kritis|Esensial|Normal)\tKurang dari (\d+) jam$", seed(TEGAL), re.M)
    assert len(rows) == 5
    for group, cls, hours in rows:
        target = pack(TEGAL).user_service_target(GROUP[group], cls.lower())
        assert target.value == timedelta(hours=int(hours))
        assert target.source == "regulation"


def test_tegal_missing_public_normal_cell_is_a_default_awaiting_confirmation():
    target = pack(TEGAL).user_service_target("layanan_publik", "normal")
    assert target.source == "default"
    assert target.needs_confirmation
    assert "Tabel 2 tidak memuat" in target.note


def test_yogyakarta_sets_user_service_targets_per_service():
    loaded = pack(YOGYA)
    assert loaded.user_service_mode == "per_service"
    assert loaded.user_service_target("layanan_publik", "kritis") is None


@pytest.mark.parametrize("slug", [TEGAL, YOGYA])
def test_sla_document_rows_match_the_regulation(slug):
    """E-3: urgency classes, response in/outside working hours, resolution
    times and the three escalation levels."""
    text = seed(slug)
    loaded = pack(slug)
    for level, hours in re.findall(r"^(\d)\tDalam 0 - (\d+) jam$", text, re.M):
        assert loaded.sla_resolution[int(level)] == timedelta(hours=int(hours))
    assert sorted(loaded.sla_resolution) == [1, 2, 3]
    assert "waktu respon maksimal adalah 3 jam" in text and loaded.sla_response == timedelta(hours=3)
    assert "maksimal adalah hari kerja berikutnya" in text
    assert loaded.data["sla_document"]["outside_working_hours"] == "next_working_day"
    assert "maksimal 2x24 jam" in text and loaded.sla_on_site_response == timedelta(hours=48)
    for urgency in loaded.data["sla_document"]["urgency"]:
        assert f"{urgency['level']} ({urgency['name']})\t{urgency['description']}" in text
    for level, ordinal in zip(loaded.escalation, ("pertama", "kedua", "ketiga"), strict=True):
        line = re.search(rf"^Eskalasi level {ordinal}\t:\s*(.+)$", text, re.M).group(1)
        assert line.strip() == level["description"]
    assert [e["handler"] for e in loaded.escalation] == ["admin_layanan", "pj_penyedia", "pimpinan_pd"]


@pytest.mark.parametrize("slug", [TEGAL, YOGYA])
def test_maturity_levels_match_the_regulation(slug):
    """E-4: the five levels of PermenPANRB 59/2020 indicator 28."""
    text = re.sub(r"<[^>]+>", " ", seed(slug))
    for level in pack(slug).maturity:
        assert level["criteria"].rstrip(".") in text
        assert level.get("condition", "").rstrip(".") in text


def test_packs_record_their_legal_reference_and_date():
    assert pack(TEGAL).legal_reference == "Peraturan Bupati Tegal Nomor 10 Tahun 2024"
    assert str(pack(TEGAL).enacted_on) == "2024-04-26"
    assert pack(YOGYA).legal_reference == "Keputusan Wali Kota Yogyakarta Nomor 110 Tahun 2026"
    assert str(pack(YOGYA).enacted_on) == "2026-02-05"


def test_values_the_text_leaves_open_are_marked_as_defaults():
    data = pack(TEGAL).data
    for section in ("working_hours", "ramadan_hours", "holidays", "clocks", "open_values"):
        assert data[section]["source"] == "default", section
        assert data[section]["note"], section


def test_default_working_week_is_perpres_21_2023():
    from spbe.sla.calendars import weekly_total

    assert weekly_total(pack(TEGAL).working_hours) == 37.5
    assert weekly_total(pack(TEGAL).ramadan_hours) == 32.5


# --- Bad packs --------------------------------------------------------------------


@pytest.fixture
def tegal_data():
    with next(p for p in bundled_packs() if p.stem == TEGAL).open("rb") as handle:
        return tomllib.load(handle)


def problems(data) -> list[str]:
    with pytest.raises(PackError) as error:
        validate(data, "uji.toml")
    return [str(p) for p in error.value.problems]


def test_missing_priority_cell_names_file_and_key(tegal_data):
    del tegal_data["priority_matrix"]["minor"]["layanan_publik"]["normal"]
    assert problems(tegal_data) == ["uji.toml: priority_matrix.minor.layanan_publik.normal: missing cell"]


def test_unknown_priority_is_rejected(tegal_data):
    tegal_data["priority_matrix"]["mayor"]["layanan_publik"]["kritis"] = 7
    assert "uji.toml: priority_matrix.mayor.layanan_publik.kritis: unknown priority 7; use 1 to 6" in problems(
        tegal_data
    )


def test_unknown_response_priority_is_rejected(tegal_data):
    tegal_data["response_targets"]["P7"] = "3h"
    assert "uji.toml: response_targets.P7: unknown priority; use P1 to P6" in problems(tegal_data)


def test_overlapping_hours_are_rejected(tegal_data):
    tegal_data["working_hours"]["monday"] = ["07:30-12:30", "12:00-16:00"]
    [problem] = problems(tegal_data)
    assert problem.startswith("uji.toml: working_hours: ")
    assert "Monday" in problem and "overlap" in problem


def test_hours_ending_before_they_start_are_rejected(tegal_data):
    tegal_data["working_hours"]["friday"] = ["16:30-07:30"]
    [problem] = problems(tegal_data)
    assert "Friday" in problem and "ends before it starts" in problem


def test_every_problem_is_reported_at_once(tegal_data):
    tegal_data["response_targets"]["P1"] = "lima belas menit"
    del tegal_data["user_service_targets"]["cells"]["layanan_publik"]["normal"]
    tegal_data["clocks"]["response"] = "kalender"
    found = problems(tegal_data)
    assert len(found) == 3
    assert any("response_targets.P1" in p for p in found)
    assert any("user_service_targets.cells.layanan_publik.normal: missing cell" in p for p in found)
    assert any("clocks.response" in p for p in found)


def test_a_default_without_a_note_is_rejected(tegal_data):
    cell = tegal_data["user_service_targets"]["cells"]["layanan_publik"]["normal"]
    del cell["note"]
    assert problems(tegal_data) == [
        "uji.toml: user_service_targets.cells.layanan_publik.normal.note: a documented default needs a note saying why"
    ]


def test_broken_toml_names_the_file(tmp_path):
    path = tmp_path / "rusak.toml"
    path.write_text("[pack\nslug = 1")
    with pytest.raises(PackError) as error:
        load_file(path)
    assert str(error.value).startswith("rusak.toml: (file): not valid TOML")


@pytest.mark.parametrize(("text", "minutes"), [("15m", 15), ("1h30m", 90), ("48h", 2880), ("2d", 2880)])
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "15", "1.5h", "-3h", "3 jam"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_validation_does_not_mutate_the_input(tegal_data):
    before = copy.deepcopy(tegal_data)
    validate(tegal_data, "uji.toml")
    assert tegal_data == before
