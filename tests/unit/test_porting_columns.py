"""The CSV template's formula rule (webapp/porting/columns.py), shared by the export and the
import: a cell a spreadsheet would run is neutralised and read back exactly."""

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
