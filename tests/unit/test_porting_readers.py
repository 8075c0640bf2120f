"""The import readers, each on files shaped exactly as the program that writes them does
(tests/fixtures/porting/): Android's vCard 2.1, iPhone's 3.0, a 4.0 file, Google Contacts' CSV,
Outlook's, and Enlace's template saved by a Spanish Excel (Windows-1252, semicolons)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from webapp.errors import ServiceError
from webapp.porting import csv_import, vcard_import
from webapp.porting.columns import TEMPLATE, template_csv
from webapp.porting.files import decode, is_vcard

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "porting"


def read(name: str) -> list:
    text = decode((FIXTURES / name).read_bytes())
    return (vcard_import if is_vcard(text) else csv_import).read(text)


def by_row(records) -> dict:
    return {record.row: record for record in records}


def test_android_21_export_keeps_accents_split_by_soft_line_breaks_and_custom_labels():
    raw = (FIXTURES / "android_21.vcf").read_bytes()
    # As Android writes it: quoted-printable names folded with "=" and no leading space.
    assert b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:N=C3=BA=C3=B1ez Ib=C3=A1=C3=B1ez;=\r\nJos" in raw
    assert b"PHOTO;ENCODING=BASE64;JPEG:" in raw
    records = by_row(read("android_21.vcf"))
    jose = records[1].fields
    assert jose["name"] == "José María Núñez Ibáñez"
    assert jose["organization"] == "Protección Civil de la Alcaldía Cuauhtémoc"
    assert jose["role_title"] == "Jefe de Operación"
    assert jose["phones"] == [
        {"label": "Mobile", "number": "+52 55 1234 5678"},
        {"label": "Work", "number": "55 8765 4321"},
        {"label": "Guardia", "number": "(55) 5111 2222"},
    ]
    assert jose["emails"] == [{"label": "Home", "address": "jose.nunez@example.com"}]
    # The whole note: vobject alone keeps only what comes before the first comma.
    assert jose["notes"] == (
        "Llamar primero al móvil; si no contesta, a la guardia nocturna de la alcaldía.\n"
        "Sólo emergencias."
    )
    assert "photo" not in str(jose).lower()
    # A card without a name is named after its organization.
    assert records[2].fields["name"] == "Farmacia San Pablo Sucursal Álvaro Obregón"
    assert records[3].fields["phones"] == [{"label": "Mobile", "number": "12"}]


def test_iphone_30_export_reads_item_labels_apple_codes_and_escaped_notes():
    raw = (FIXTURES / "iphone_30.vcf").read_bytes()
    assert b"item1.X-ABLabel:Guardia 24 h" in raw and b"\r\n PHOTO" not in raw
    assert b"\r\n " in raw  # the folded photo
    records = by_row(read("iphone_30.vcf"))
    maria = records[1].fields
    assert maria["name"] == "Dra. María Fernanda Pérez Güemes"
    assert maria["organization"] == "Cruz Roja Mexicana"
    assert maria["phones"] == [
        {"label": "Mobile", "number": "+52 1 55 2345 6789"},
        {"label": "Guardia 24 h", "number": "55 3456 7890"},
        {"label": "Home fax", "number": "+52 (33) 3333-4444"},
    ]
    assert maria["emails"] == [{"label": "Work", "address": "mfperez@example.org"}]
    assert maria["notes"] == "Turno de noche los martes.\nSi no contesta, dejar mensaje."
    assert maria["city"] == "Ciudad de México"
    assert maria["address"] == "Av. Miguel Ángel de Quevedo 350, CDMX, 04000, México"
    oscar = records[2].fields
    assert oscar["phones"] == [{"label": "Mobile", "number": "5544332211"}]
    assert oscar["emails"] == [{"label": "Escuela", "address": "oscar@example.net"}]


def test_vcard_40_reads_tel_uris_and_categories():
    records = by_row(read("vcard_40.vcf"))
    ana = records[1].fields
    assert ana["phones"] == [
        {"label": "Mobile", "number": "+52-55-1234-0000"},
        {"label": "Work", "number": "+52-55-8765-0000"},
    ]
    assert ana["tags"] == ["Hospitales", "Guardia"]
    assert records[2].fields["name"] == "Bomberos Coyoacán"


def test_a_card_vobject_cannot_read_is_an_error_row_and_the_others_are_read():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Buena\r\nTEL:5512345678\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rota\r\nTEL;type=CELL\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Otra\r\nEND:VCARD\r\n"
    )
    records = by_row(vcard_import.read(text))
    assert records[1].fields["name"] == "Buena" and not records[1].errors
    assert records[2].errors and "_" in records[2].errors
    assert records[3].fields["name"] == "Otra"


def test_google_contacts_csv_splits_values_joined_by_three_colons_with_their_labels():
    raw = (FIXTURES / "google_contacts.csv").read_bytes()
    assert b"Phone 1 - Label,Phone 1 - Value" in raw and b" ::: " in raw
    records = by_row(read("google_contacts.csv"))
    lucia = records[1].fields
    assert lucia["name"] == "Lucía Hernández Peña"
    assert lucia["role_title"] == "Jefa de turno"
    assert lucia["phones"] == [
        {"label": "Mobile", "number": "+52 55 1111 2222"},
        {"label": "Mobile", "number": "55 3333 4444"},
        {"label": "Guardia nocturna", "number": "(55) 5555-6666"},
    ]
    assert lucia["emails"] == [{"label": "Work", "address": "lucia.hernandez@example.mx"}]
    assert lucia["notes"] == "Guardia de noche.\nLlamar antes de las 22 h."
    assert lucia["city"] == "Ciudad de México"
    # Google's own groups ("* myContacts", "* starred") are not the user's tags.
    assert lucia["tags"] == ["Guardias"]
    assert records[2].fields["name"] == "Cerrajería 24 horas"
    assert "tags" not in records[3].fields
    assert [e["address"] for e in records[3].fields["emails"]] == [
        "raul@example.com",
        "raul.zuniga@example.org",
    ]


def test_outlook_csv_takes_labels_from_its_phone_columns():
    raw = (FIXTURES / "outlook.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    records = by_row(read("outlook.csv"))
    sofia = records[1].fields
    assert sofia["name"] == "Sofía Ramírez"  # Outlook's "Title" (Lic.) is a courtesy title
    assert sofia["organization"] == "Despacho Ramírez"
    assert sofia["role_title"] == "Abogada, Jurídico"
    assert sofia["phones"] == [
        {"label": "Work", "number": "55 2222 3333"},
        {"label": "Mobile", "number": "+52 1 55 4444 5555"},
    ]
    assert sofia["address"] == "Reforma 222, piso 3, CDMX, 06600, México"
    assert records[2].fields["name"] == "Tomás O'Neill"


def test_a_spanish_excel_template_in_windows_1252_with_semicolons_is_read():
    raw = (FIXTURES / "excel_1252_semicolon.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    records = by_row(read("excel_1252_semicolon.csv"))
    # The blank line makes no row but keeps its number: row N is the spreadsheet's line N + 1.
    assert sorted(records) == [1, 2, 4]
    jose = records[1].fields
    assert jose["name"] == "José Muñoz"
    assert jose["organization"] == "Grúas Peñón"
    assert jose["phones"] == [{"label": "Móvil", "number": "55 1234 5678"}]
    assert jose["tags"] == ["grúas", "24 h"]
    assert jose["country"] == "MX"
    assert records[4].fields["country"] == "ES"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_template_reads_back_as_its_example_row(lang):
    data = template_csv(lang)
    assert data.startswith(codecs.BOM_UTF8)
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[0] == ("Nombre" if lang == "es" else "Name")
    assert len(header.split(",")) == len(TEMPLATE)
    (record,) = csv_import.read(decode(data))
    assert record.fields["name"] == "María Pérez"
    assert [p["number"] for p in record.fields["phones"]] == ["55 1234 5678", "+52 55 8765 4321"]
    assert record.fields["emails"] == [{"label": "", "address": "maria.perez@example.org"}]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00",  # an .xlsx
        b"%PDF-1.7\n\x00\x01\x02",
    ],
    ids=["empty", "blank", "png", "xlsx", "pdf"],
)
def test_empty_and_binary_files_are_refused_with_a_message(data):
    with pytest.raises(ServiceError) as refused:
        decode(data)
    assert refused.value.field == "file" and refused.value.message


def test_a_csv_without_known_columns_is_refused():
    with pytest.raises(ServiceError) as refused:
        csv_import.read("foo,bar\n1,2\n")
    assert "template" in refused.value.message


def test_utf16_with_bom_is_read():
    text = "Name\tPhone 1\r\nÑoño\t5512345678\r\n"
    (record,) = csv_import.read(decode(codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert record.fields == {"name": "Ñoño", "phones": [{"label": "", "number": "5512345678"}]}
