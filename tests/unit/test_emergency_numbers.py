"""The national emergency numbers: every entry dials in its country, names a source and a date."""

from __future__ import annotations

from datetime import date

import phonenumbers
import pytest

from webapp import emergency_numbers as data
from webapp.directory.service import normalize_phone
from webapp.toolkit.playbooks import PLAYBOOKS

ALL = [(code, entry) for code in data.countries() for entry in data.entries(code)]

# The services each country's data holds, in file order. A removal (or an addition) shows up
# here in review: the data could cost lives, so every change to it is deliberate.
EXPECTED = {
    "AR": ["general", "medical", "civil_protection", "gender_violence"],
    "CL": ["police", "fire", "ambulance", "investigations_police", "maritime_rescue"],
    "CO": ["general", "police", "fire", "civil_protection", "kidnapping_extortion"],
    "ES": ["police", "police", "medical", "gender_violence", "cybercrime", "child_abuse_report"],
    "EU": ["general"],
    "MX": ["general", "cybercrime", "anonymous_report"],
    "PE": ["police", "fire"],
    "US": ["general", "child_abuse_report", "crisis_line", "poison_control"],
}


def _regions(code: str) -> list[str]:
    return sorted(data.eu_members()) if code == data.EU else [code]


def test_the_services_of_each_country_are_the_expected_ones():
    assert {code: [e.service for e in data.entries(code)] for code in data.countries()} == EXPECTED


@pytest.mark.parametrize(("code", "entry"), ALL, ids=lambda v: getattr(v, "number", v))
def test_every_number_is_valid_where_it_applies(code, entry):
    for region in _regions(code):
        parsed = phonenumbers.parse(entry.number, region)
        assert (
            phonenumbers.is_valid_short_number(parsed)
            or (
                phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed)
            )
            == region
        ), (entry.number, region)
        # And the directory takes it as it is (short numbers as dialled).
        _stored, error = normalize_phone(entry.number, region)
        assert error is None, (entry.number, region, error)


@pytest.mark.parametrize(("code", "entry"), ALL, ids=lambda v: getattr(v, "number", v))
def test_every_entry_names_its_source_date_service_and_both_languages(code, entry):
    assert entry.source.startswith("https://")
    assert entry.checked == date(2026, 11, 25)
    assert entry.service in data.SERVICES and entry.service in data.SERVICE_LABELS
    assert set(entry.name) == {"es", "en"} and all(entry.name.values())
    assert entry.note is None or (set(entry.note) == {"es", "en"} and all(entry.note.values()))
    assert entry.url is None or entry.url.startswith("https://")
    # A number that is not answered around the clock says when it is.
    assert entry.always or entry.hours is not None


def test_spains_017_is_an_advice_line_with_limited_hours():
    (helpline,) = [e for e in data.entries("ES") if e.number == "017"]
    assert not helpline.always and helpline.hours["from"] == "08:00"
    assert "not for filing reports" in helpline.note["en"]
    assert "no sirve para presentar denuncias" in helpline.note["es"]


def test_child_sexual_abuse_material_channels():
    (tipline,) = [e for e in data.entries("US") if e.service == "child_abuse_report"]
    assert tipline.number == "1-800-843-5678"
    assert tipline.url == "https://report.cybertip.org"
    (spain,) = [e for e in data.entries("ES") if e.service == "child_abuse_report"]
    assert spain.email and spain.email.endswith("@policia.es")


def test_numbers_for_adds_the_eu_112_to_members_only():
    assert [e.number for e in data.numbers_for("ES")][0] == "112"
    assert [e.number for e in data.numbers_for("fr")] == ["112"]
    assert "112" not in [e.number for e in data.numbers_for("MX")]
    assert data.numbers_for("BR") == [] and data.numbers_for("EU") == []


def test_what_the_notes_leave_unconfirmed_stays_out():
    # Research notes: Argentina's fire 100 and Peru's 911 (announced, not in service).
    assert "100" not in [e.number for e in data.numbers_for("AR")]
    assert "911" not in [e.number for e in data.numbers_for("PE")]


def test_the_data_files_ship_with_the_package():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert (
        "emergency_numbers/data/*.json" in pyproject["tool"]["setuptools"]["package-data"]["webapp"]
    )


def test_default_playbooks_are_complete_in_both_languages():
    assert len(PLAYBOOKS) == 13
    assert len({p.key for p in PLAYBOOKS}) == 13
    for playbook in PLAYBOOKS:
        assert set(playbook.services) <= set(data.SERVICES), playbook.key
        for lang in ("es", "en"):
            assert playbook.name[lang] and playbook.guidance[lang]
            assert 3 <= len(playbook.steps[lang]) <= 50
        assert len(playbook.steps["es"]) == len(playbook.steps["en"])
    (csam,) = [p for p in PLAYBOOKS if p.key == "illegal_content"]
    guidance = csam.guidance["en"]
    for words in (
        "do not download, forward or screenshot",
        "keep only the",
        "report it",
        "do not reply publicly",
    ):
        assert words in guidance


def test_the_app_names_every_default_crisis_kind():
    """The app's names come from the vocabulary (static/js/data/labels.js is generated from it)."""
    from webapp.directory.vocabulary import CRISIS_KINDS

    for playbook in PLAYBOOKS:
        assert playbook.crisis_kind in CRISIS_KINDS, playbook.crisis_kind
