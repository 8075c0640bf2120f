"""Write static/js/data/labels.js, the app's copy of the directory's vocabulary and the
emergency services' order (webapp/directory/vocabulary.py says what it holds)."""

from __future__ import annotations

from webapp.config import ROOT
from webapp.directory.vocabulary import client_module

TARGET = ROOT / "static" / "js" / "data" / "labels.js"

if __name__ == "__main__":
    TARGET.write_text(client_module(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
