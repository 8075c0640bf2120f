"""The one formatting of phone numbers for people (`directory.service.display_number`)."""

from __future__ import annotations

import phonenumbers
import pytest

from webapp.directory.service import display_number, from_e164

TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]


def examples() -> list[str]:
    """Every region's example numbers of the common types, in E.164 (as the server stores)."""
    found = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.add(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


def test_reading_a_stored_number_agrees_with_phonenumbers_parser_for_every_country():
    numbers = examples()
    assert len(numbers) > 500
    for number in numbers:
        assert from_e164(number) == phonenumbers.parse(number, None), number


@pytest.mark.parametrize("odd", ["+", "+5", "+٥٢٣٣٠٠٠٠٠٢٠٢", "+52 33 0000 0202", "911", "+8091234"])
def test_anything_but_plain_e164_is_left_to_the_parser(odd):
    assert from_e164(odd) is None or phonenumbers.parse(odd, None) == from_e164(odd)


@pytest.mark.parametrize(
    ("number", "country", "shown"),
    [
        ("+523300000202", "MX", "33 0000 0202"),  # at home: national
        ("+34612345678", "MX", "+34 612 34 56 78"),  # abroad: international
        ("+34612345678", "ES", "612 34 56 78"),
        ("+390612345678", "IT", "06 1234 5678"),  # a leading zero kept
        ("+390612345678", "MX", "+39 06 1234 5678"),
        ("911", "MX", "911"),  # short numbers as dialled
        ("+999123", "MX", "+999123"),  # unknown country code: as stored
        ("+14155550100", None, "+1 415-555-0100"),
    ],
)
def test_numbers_read_national_at_home_and_international_abroad(number, country, shown):
    assert display_number(number, country) == shown
