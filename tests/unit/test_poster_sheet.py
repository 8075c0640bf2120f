"""The poster's type scale (webapp/poster/service.py sheet_size): the fuller the sheet, never
the larger its type. What fits one A4 page is measured in tests/browser/test_toolkit.py."""

from __future__ import annotations

from webapp.poster.service import MAX_CHOSEN, MAX_PUBLIC, sheet_size

ORDER = ["xxl", "xl", "l", "m", "s"]


def test_more_numbers_or_people_never_make_the_type_larger():
    for public in range(1, MAX_PUBLIC + 1):
        for chosen in range(MAX_CHOSEN + 1):
            size = ORDER.index(sheet_size(public, chosen))
            if public < MAX_PUBLIC:
                assert ORDER.index(sheet_size(public + 1, chosen)) >= size, (public, chosen)
            if chosen < MAX_CHOSEN:
                assert ORDER.index(sheet_size(public, chosen + 1)) >= size, (public, chosen)


def test_a_few_numbers_print_largest_and_a_full_sheet_smallest():
    assert sheet_size(3, 0) == "xxl"
    assert sheet_size(8, 6) == "m"
    assert sheet_size(MAX_PUBLIC, MAX_CHOSEN) == "s"
