"""A synced type's schema and its model's FIELDS name the same fields.

The sync service validates a mutation with the schema and copies only `Synced.FIELDS` onto the
row: a field in the schema alone would be accepted and silently dropped, a field in FIELDS alone
could never be written.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from webapp.directory.models import ENTITY_TYPES
from webapp.directory.schemas import SCHEMAS, Phone


def test_every_synced_type_has_a_schema():
    assert set(SCHEMAS) == set(ENTITY_TYPES)


@pytest.mark.parametrize("entity_type", sorted(ENTITY_TYPES))
def test_the_schema_and_the_field_list_name_the_same_fields(entity_type):
    model = ENTITY_TYPES[entity_type]
    schema_fields = set(SCHEMAS[entity_type].model_fields)
    assert len(model.FIELDS) == len(set(model.FIELDS)), "a field is listed twice"
    # pytest names the extra items on either side.
    assert schema_fields == set(model.FIELDS)


@pytest.mark.parametrize("entity_type", sorted(ENTITY_TYPES))
def test_every_field_is_a_column_and_every_reference_a_field(entity_type):
    model = ENTITY_TYPES[entity_type]
    columns = set(inspect(model).columns.keys())
    assert sorted(set(model.FIELDS) - columns) == []
    assert sorted(set(model.REFERENCES) - set(model.FIELDS)) == []


@pytest.mark.parametrize("sent", ["33 0000 0202", 55, None, {"x": 1}])
def test_a_phones_display_is_the_servers_read_only_and_never_stored(sent):
    # The app holds phones with the server's `display` and may send them back as they are:
    # whatever it says is dropped, never validated, stored or merged.
    phone = Phone.model_validate({"number": "+523300000202", "display": sent})
    assert phone.model_dump(mode="json") == {
        "label": "",
        "number": "+523300000202",
        "whatsapp": False,
    }
    schema = Phone.model_json_schema()["properties"]["display"]
    assert schema["readOnly"] is True
