"""The design lives in the repository: every reference to docs/ARCHITECTURE.md names a section
that exists, and nothing points at a design document outside it (issue 15)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
REFERENCE = re.compile(r"docs/ARCHITECTURE\.md,? (\d+(?:\.\d+)?)")
SECTION = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)
CODE = ["*.py", "*.js", "*.mjs", "*.html", "*.sh", "Makefile", "README.md"]


def tracked_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "--", *CODE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in names if "vendor" not in name]


def test_every_reference_names_a_section_of_the_architecture():
    sections = set(SECTION.findall(ARCHITECTURE.read_text(encoding="utf-8")))
    assert {"2.1", "4.3", "4.4", "5"} <= sections
    dangling = []
    for path in tracked_files():
        for number in REFERENCE.findall(path.read_text(encoding="utf-8", errors="replace")):
            if number not in sections:
                dangling.append(f"{path.relative_to(ROOT)}: {number}")
    assert dangling == []


def test_nothing_points_at_a_design_document_outside_the_repository():
    outside = [
        str(path.relative_to(ROOT))
        for path in tracked_files()
        if "DESIGN.md" in path.read_text(encoding="utf-8", errors="replace")
        and path.name != "test_docs.py"
    ]
    assert outside == []
