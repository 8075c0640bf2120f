"""Facts the code keeps in one place: the visibility levels and who sees restricted records."""

from __future__ import annotations

from typing import get_args

from sqlalchemy import select

from webapp.directory import schemas
from webapp.directory.models import Contact, Incident, Playbook, Visibility
from webapp.directory.service import only_visible


def test_the_wire_offers_exactly_the_enums_visibility_levels():
    """The schemas' Literal (and so the OpenAPI enum) is the enum's values, in its order."""
    assert get_args(schemas.Visibility) == ("public", "team", "restricted")
    assert get_args(schemas.Visibility) == tuple(level.value for level in Visibility)
    for model in (schemas.ContactData, schemas.PlaybookData):
        assert model.model_fields["visibility"].default == Visibility.TEAM


def _sql(query) -> str:
    return str(query.compile(compile_kwargs={"literal_binds": True}))


def test_viewers_queries_leave_restricted_records_out_and_full_ones_do_not():
    for model in (Contact, Playbook):
        query = select(model.id)
        assert "visibility != 'restricted'" in _sql(only_visible(query, model, full=False))
        assert "WHERE" not in _sql(only_visible(query, model, full=True))
        tombstones = _sql(only_visible(query, model, full=False, tombstones_after=7))
        assert "restricted_since > 7" in tombstones
    # Incidents have no visibility: every member sees them.
    assert "WHERE" not in _sql(only_visible(select(Incident.id), Incident, full=False))


def test_a_seeded_numbers_tag_names_its_service_and_its_place():
    from webapp import emergency_numbers as data

    assert data.service_of(["national", data.service_tag("police")]) == "police"
    assert data.service_of(["service: Fire "]) == "fire"  # typed by hand
    assert data.service_of(["national", 3, None]) is None
    assert data.service_rank("general") == 0
    assert data.service_rank("civil_protection") < data.service_rank("cybercrime")
    assert data.service_rank(None) == data.service_rank("unknown") == len(data.SERVICES)


def test_base64url_is_one_codec_strict_about_what_it_reads():
    import pytest

    from webapp.encoding import b64url, b64url_decode

    assert b64url(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b64url_decode("-_8=") == b"\xfb\xff"
    for bad in ("+/8", "-_ 8", "=-_8", "é", "a"):
        with pytest.raises(ValueError):
            b64url_decode(bad)


def test_a_stored_id_reads_as_a_uuid_or_none():
    import uuid

    from webapp.encoding import as_uuid

    value = uuid.uuid4()
    assert as_uuid(value) == as_uuid(f" {value} ") == value
    assert as_uuid("not an id") is None
    assert as_uuid(None) is None


def test_the_snapshot_caches_forget_the_least_recently_used_first():
    from webapp.snapshot.service import LRU, PlaintextCache

    cache: LRU[str] = LRU(2)  # two bytes
    cache.put_many({"a": b"1", "b": b"2"})
    assert cache.get_many(["a"]) == {"a": b"1"}  # now b is the oldest
    cache.put_many({"c": b"3"})
    assert cache.get_many(["a", "b", "c"]) == {"a": b"1", "c": b"3"}
    assert cache.stats() == {"entries": 2, "bytes": 2, "max_bytes": 2, "evictions": 1}
    plain = PlaintextCache(max_bytes=1 + 200)  # one entry: its byte and its bookkeeping
    plain.put("x", b"1")
    plain.put("y", b"2")
    assert plain.get("x") is None and plain.get("y") == b"2"


def test_the_apps_copy_of_the_vocabulary_is_current():
    """static/js/data/labels.js is generated: change webapp/directory/vocabulary.py or
    webapp/emergency_numbers, then run `make labels`."""
    from webapp.config import ROOT
    from webapp.directory.vocabulary import client_module

    committed = (ROOT / "static" / "js" / "data" / "labels.js").read_text(encoding="utf-8")
    assert committed == client_module(), "static/js/data/labels.js is stale: run `make labels`"


def test_the_vocabulary_names_every_code_the_server_knows_in_both_languages():
    from webapp.directory import vocabulary
    from webapp.readiness.service import AREAS
    from webapp.toolkit.playbooks import PLAYBOOKS

    assert get_args(schemas.Kind) == tuple(vocabulary.KINDS)
    assert set(AREAS) <= set(vocabulary.AREAS)
    assert {p.crisis_kind for p in PLAYBOOKS} <= set(vocabulary.CRISIS_KINDS)
    for table in (vocabulary.AREAS, vocabulary.KINDS, vocabulary.CRISIS_KINDS):
        for names in table.values():
            assert set(names) == set(vocabulary.LANGUAGES) and all(names.values())
    # Words are compared folded, so they must be written folded to ever match.
    for word in vocabulary.AREA_WORDS:
        assert word == word.lower() and word.isascii() and "  " not in word


def test_the_words_people_search_for_are_the_vocabularys_codes_in_both_languages():
    """SEARCH_WORDS (what static/js/search.js finds an area, kind or crisis kind by) names only
    codes of the vocabulary, in every language, with the common words for legal and medical."""
    from webapp.directory import vocabulary

    codes = {*vocabulary.AREAS, *vocabulary.KINDS, *vocabulary.CRISIS_KINDS}
    assert set(vocabulary.SEARCH_WORDS) <= codes
    assert set(vocabulary.KINDS) <= set(vocabulary.SEARCH_WORDS)
    for code, words in vocabulary.SEARCH_WORDS.items():
        assert set(words) == set(vocabulary.LANGUAGES), code
        for text in words.values():
            phrases = text.split(", ")
            assert all(p and p == p.lower() and p == " ".join(p.split()) for p in phrases), code
            assert len(set(phrases)) == len(phrases), code
    legal = vocabulary.SEARCH_WORDS["legal"]
    assert {"abogado", "jurídico"} <= set(legal["es"].split(", "))
    assert "lawyer" in legal["en"].split(", ")
    medical = vocabulary.SEARCH_WORDS["medical"]
    assert {"médico", "doctor"} <= set(f"{medical['es']}, {medical['en']}".split(", "))
