"""The CSV template's cell rules (webapp/porting/columns.py), shared by the export and the
import: formula cells neutralised and read back exactly, headers in either language."""

from __future__ import annotations

import pytest

from webapp.porting import columns


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+34 600 12 34 56", "'+34 600 12 34 56"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=already", "''=already"),
        ("Ana", "Ana"),
        ("'quoted'", "'quoted'"),
        ("112", "112"),
        ("", ""),
    ],
)
def test_a_formula_cell_is_neutralised_and_restored_to_the_same_text(cell, written):
    assert columns.neutralise(cell) == written
    assert columns.restore(written) == cell
    assert not columns.neutralise(cell).startswith(columns.FORMULA_STARTS)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Nombre", "name"),
        ("NAME", "name"),
        ("\ufeffNombre", "name"),
        ("Teléfono 2", "phone_2"),
        ("telefono 2", "phone_2"),
        ("Phone 10 label", "phone_10_label"),
        ("Etiqueta del correo 1", "email_1_label"),
        ("role_title", "role_title"),
        ("Birthday", None),
    ],
)
def test_headers_are_read_in_either_language(header, key):
    assert columns.key_of(header) == key


def test_kinds_and_areas_are_read_as_codes_or_names_in_either_language():
    assert columns.read_code("kind", "Socio o proveedor") == "partner"
    assert columns.read_code("kind", "medical") == "medical"
    assert columns.read_code("area", "atención al cliente") == "customer_service"
    assert columns.read_code("area", "Nowhere") is None


def test_the_template_grows_phone_and_email_columns_as_needed():
    keys = [c.key for c in columns.columns(5, 1)]
    assert keys.count("phone_5") == 1 and "phone_6" not in keys
    assert "email_2" in keys  # never fewer than the template's
    assert columns.is_template([c.header("es") for c in columns.columns()])
