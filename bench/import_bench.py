"""Import benchmark: preview and apply of a 5,000-card vCard and a 5,000-row CSV, into a
workspace that already holds 5,000 contacts (every row is checked against them).

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/import_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/import_bench.py

Figures, in process (Flask test client), one run each (an import is not repeated by a user):
- preview of a vCard of 5,000 cards as phones export them (iPhone 3.0 with item labels and a
  folded photo, Android 2.1 with quoted-printable names and soft line breaks, one in two each);
- preview of a Google Contacts CSV of 5,000 rows (two numbers, an email, labels);
- apply of each (5,000 contacts written through sync in one transaction).
Targets (issue 19): preview ≤ 3 s, apply ≤ 5 s. Each line also gives the CPU time this process
used (for SQLite all of the work; PostgreSQL's own is not counted): on a busy machine it says
what the wall time would be on a quiet one. Options: see bench/sync_bench.py.
"""

from __future__ import annotations

import base64
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from bench.lib import report  # noqa: E402
from bench.lib.clients import OWNER, Device  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402

ROWS = 5000
FIGURES = ["import_preview_vcard", "import_preview_csv", "import_apply_vcard", "import_apply_csv"]
report.TARGETS.update(
    {
        "import_preview_vcard": (3000.0, "ms", "le"),
        "import_preview_csv": (3000.0, "ms", "le"),
        "import_apply_vcard": (5000.0, "ms", "le"),
        "import_apply_csv": (5000.0, "ms", "le"),
    }
)
report.LABELS.update(
    {
        "import_preview_vcard": f"import preview, vCard of {ROWS:,} cards",
        "import_preview_csv": f"import preview, Google CSV of {ROWS:,} rows",
        "import_apply_vcard": f"import apply, {ROWS:,} contacts from the vCard",
        "import_apply_csv": f"import apply, {ROWS:,} contacts from the CSV",
    }
)
# A small thumbnail: 5,000 cards with full photos would be over the 5 MiB limit.
PHOTO = base64.b64encode(bytes(range(256)) * 2).decode()
GOOGLE = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Organization Name",
    "Organization Title",
    "Notes",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
]


def _qp(text: str) -> str:
    return "".join(
        chr(b) if (33 <= b <= 126 and b != 61) or b == 32 else f"={b:02X}"
        for b in text.encode("utf-8")
    )


def _soft(line: str) -> str:
    parts = []
    while len(line) > 75:
        cut = 75
        while "=" in line[cut - 2 : cut]:
            cut -= 1
        parts.append(line[:cut] + "=")
        line = line[cut:]
    return "\r\n".join([*parts, line])


def vcard_file(rows: int) -> bytes:
    """Return a vCard of `rows` cards, iPhone's 3.0 and Android's 2.1 in turn."""
    cards = []
    for i in range(rows):
        name = f"María José Núñez {i}"
        if i % 2:
            photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + PHOTO
            folded = "\r\n ".join(photo[j : j + 74] for j in range(0, len(photo), 74))
            cards.append(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.5//EN\r\n"
                f"N:Núñez {i};María José;;;\r\nFN:{name}\r\nORG:Protección Civil;\r\n"
                f"TEL;type=CELL;type=VOICE;type=pref:+52 33 1{i:07d}\r\n"
                f"item1.TEL:33 2{i:07d}\r\nitem1.X-ABLabel:Guardia\r\n"
                f"EMAIL;type=INTERNET;type=WORK:mj{i}@vcard.example.mx\r\n"
                "NOTE:Turno de noche.\\nLlamar antes\\, por favor.\r\n"
                f"{folded}\r\nEND:VCARD\r\n"
            )
        else:
            cards.append(
                "BEGIN:VCARD\r\nVERSION:2.1\r\n"
                + _soft(
                    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp(f"Núñez {i};María José;;;")
                )
                + "\r\n"
                + _soft("FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + _qp(name))
                + "\r\n"
                + f"TEL;CELL;PREF:+52 33 1{i:07d}\r\nTEL;X-Guardia:33 2{i:07d}\r\n"
                + f"EMAIL;WORK:mj{i}@vcard.example.mx\r\n"
                + _soft(
                    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
                    + _qp("Llamar primero al móvil; si no contesta, a la guardia nocturna.")
                )
                + "\r\nEND:VCARD\r\n"
            )
    return "".join(cards).encode("utf-8")


def csv_file(rows: int) -> bytes:
    """Return a Google Contacts CSV of `rows` contacts."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GOOGLE, lineterminator="\r\n")
    writer.writeheader()
    for i in range(rows):
        writer.writerow(
            {
                "First Name": "Lucía",
                "Last Name": f"Hernández {i}",
                "Organization Name": "Cruz Roja",
                "Organization Title": "Paramédica",
                "Notes": "Guardia de noche.\nLlamar antes de las 22 h.",
                "Labels": "* myContacts ::: Brigada",
                "E-mail 1 - Label": "* Work",
                "E-mail 1 - Value": f"lh{i}@csv.example.mx",
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": f"+52 33 3{i:07d} ::: 33 4{i:07d}",
                "Phone 2 - Label": "Guardia",
                "Phone 2 - Value": f"(33) 5{i // 10000:03d}-{i % 10000:04d}",
            }
        )
    return out.getvalue().encode("utf-8")


def measure(run: Run) -> None:
    """Time each preview and each apply once, with the machine's load beside them."""
    app, results, workspace_id = run.app, run.results, run.seeded.workspace_id
    owner = Device(app, OWNER, workspace_id)
    base = f"/api/v1/workspaces/{workspace_id}/imports"
    for kind, data, filename in (
        ("vcard", vcard_file(ROWS), "contacts.vcf"),
        ("csv", csv_file(ROWS), "contacts.csv"),
    ):
        boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename)})
        started, cpu = time.perf_counter(), time.process_time()
        response = owner.client.post(
            base,
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers={"X-CSRFToken": owner.token},
        )
        preview_ms = (time.perf_counter() - started) * 1000
        preview_cpu = time.process_time() - cpu
        if response.status_code != 201:
            raise RuntimeError(
                f"preview answered {response.status_code}: {response.get_data()[:300]}"
            )
        preview = response.get_json()
        results.show(
            f"import_preview_{kind}",
            preview_ms,
            f"{len(data) / 1024 / 1024:.1f} MiB, counts {preview['counts']}, "
            f"this process's CPU {preview_cpu:.1f} s",
        )
        started, cpu = time.perf_counter(), time.process_time()
        response = owner.client.post(
            f"{base}/{preview['id']}/apply",
            json={"skip_errors": True, "duplicates": "skip"},
            headers={"X-CSRFToken": owner.token},
        )
        apply_ms = (time.perf_counter() - started) * 1000
        apply_cpu = time.process_time() - cpu
        if response.status_code != 200:
            raise RuntimeError(
                f"apply answered {response.status_code}: {response.get_data()[:300]}"
            )
        results.show(
            f"import_apply_{kind}",
            apply_ms,
            f"answer {response.get_json()}, this process's CPU {apply_cpu:.1f} s",
        )


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
