"""Incidents and their entries as the runner logs them: a call's outcome, an authority report's
case number, a playbook step done; append-only; viewers read but never write. On both databases.
"""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import mutation


def start_incident(device, **fields):  # type: ignore[no-untyped-def]
    incident = uuid.uuid4()
    body = device.sync(
        mutation(incident, {"title": "Tormenta de pagos", **fields}, type="incident")
    )
    assert body["results"][0]["status"] == "applied", body
    return incident


def entry(incident, **fields):  # type: ignore[no-untyped-def]
    return mutation(
        uuid.uuid4(),
        {"incident_id": str(incident), "at": "2026-12-03T21:05:00Z", **fields},
        type="incident_entry",
    )


def contact(device, name: str = "Ana Pérez") -> str:  # type: ignore[no-untyped-def]
    ident = uuid.uuid4()
    device.sync(mutation(ident, {"name": name, "phones": [{"number": "+52 55 1234 5678"}]}))
    return str(ident)


def test_the_runners_entries_are_stored_with_their_outcome_reference_and_step(app, device):
    owner = device()
    ana, police = contact(owner), contact(owner, "Policía cibernética")
    incident = start_incident(owner, severity="high")
    body = owner.sync(
        entry(incident, kind="call", text="Ana Pérez", contact_id=ana, outcome="no_answer"),
        entry(incident, kind="action", text="Pausar los cobros", step=0),
        entry(
            incident,
            kind="report",
            text="Denuncia en línea",
            contact_id=police,
            reference="  FGJ/CDMX/123/2026 ",
        ),
        entry(incident, text="El banco confirma el incidente"),
    )
    assert [r["status"] for r in body["results"]] == ["applied"] * 4
    data = [c["data"] for c in body["changes"] if c["type"] == "incident_entry"]
    assert [(d["kind"], d["outcome"], d["reference"], d["step"]) for d in data] == [
        ("call", "no_answer", None, None),
        ("action", None, None, 0),
        ("report", None, "FGJ/CDMX/123/2026", None),
        ("note", None, None, None),
    ]
    assert data[0]["contact_id"] == ana and data[2]["contact_id"] == police


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        (
            {"kind": "call", "outcome": "busy"},
            "outcome",
            "Choose one of: answered, no_answer, voicemail, wrong_number.",
        ),
        ({"kind": "note", "outcome": "answered"}, "outcome", "Only a call has an outcome"),
        ({"kind": "call", "reference": "123"}, "reference", "Only a report to an authority"),
        ({"kind": "report", "reference": "x" * 101}, "reference", "At most 100 characters."),
        ({"kind": "report", "reference": "   "}, "reference", "Required."),
        ({"kind": "report", "reference": "12\u202e34"}, "reference", "on one line"),
        ({"kind": "report", "reference": 123}, "reference", "Must be text."),
        ({"kind": "action", "step": 50}, "step", "Must be less than 50."),
        ({"kind": "action", "step": -1}, "step", "Must be 0 or more."),
        ({"kind": "action", "step": "2"}, "step", "Must be a whole number."),
        ({"kind": "note", "step": 1}, "step", "Only an action has a playbook step."),
    ],
)
def test_a_bad_outcome_reference_or_step_is_refused_by_path_and_nothing_is_stored(
    app, device, fields, path, message
):
    owner = device()
    incident = start_incident(owner)
    before = owner.cursor
    body = owner.sync(entry(incident, text="Llamada", **fields))
    result = body["results"][0]
    assert result["status"] == "rejected"
    assert list(result["errors"]) == [path]
    assert message in result["errors"][path]
    assert body["cursor"] == before and body["changes"] == []


def test_errors_come_in_the_users_language(app, device, make_user):
    owner = device(user=make_user(locale="es"))
    incident = start_incident(owner)
    body = owner.sync(entry(incident, text="Nota", kind="note", outcome="answered"))
    assert body["results"][0]["errors"] == {
        "outcome": "Solo una llamada tiene resultado: regístrala como llamada."
    }


def test_viewers_read_the_log_but_cannot_write_to_it(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    incident = start_incident(owner)
    owner.sync(entry(incident, kind="call", text="Ana", outcome="answered"))
    seen = viewer.sync()["changes"]
    assert [c["type"] for c in seen] == ["incident", "incident_entry"]
    assert seen[1]["data"]["outcome"] == "answered"
    body = viewer.sync(entry(incident, text="Yo también llamé"))
    assert body["results"][0] == {
        "id": body["results"][0]["id"],
        "status": "rejected",
        "entity_id": body["results"][0]["entity_id"],
        "errors": {"_": "forbidden"},
    }
    started = viewer.sync(mutation(uuid.uuid4(), {"title": "Otro"}, type="incident"))
    assert started["results"][0]["errors"] == {"_": "forbidden"}
    assert [c["type"] for c in owner.sync(cursor=0)["changes"]] == ["incident", "incident_entry"]


def test_an_entry_never_changes_once_written(app, device):
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    incident = start_incident(owner)
    call = entry(incident, kind="call", text="Ana", outcome="no_answer")
    owner.sync(call)
    for fields in ({"outcome": "answered"}, {"text": "Ana (contestó)"}, {"step": None}):
        edit = editor.sync(
            mutation(call["entity_id"], fields, type="incident_entry", base_version=1)
        )
        assert edit["results"][0]["status"] in ("rejected", "applied")
        if fields == {"step": None}:
            # The same value is no change: applied, version unchanged.
            assert edit["results"][0] == {**edit["results"][0], "status": "applied", "version": 1}
        else:
            assert edit["results"][0]["errors"] == {
                "_": "Incident entries cannot be changed or deleted: add a new entry instead."
            }
    gone = editor.sync(
        mutation(call["entity_id"], type="incident_entry", op="delete", base_version=1)
    )
    assert gone["results"][0]["status"] == "rejected"
    (stored,) = [c for c in owner.sync(cursor=0)["changes"] if c["type"] == "incident_entry"]
    assert stored["version"] == 1
    assert (stored["data"]["outcome"], stored["data"]["text"]) == ("no_answer", "Ana")


def test_a_closed_incident_keeps_its_summary_and_still_takes_late_entries(app, device):
    owner = device()
    incident = start_incident(owner)
    closed = owner.sync(
        mutation(
            incident,
            {
                "status": "closed",
                "closed_at": "2026-12-03T23:00:00Z",
                "summary": "Pagos reanudados; folio FGJ/123",
            },
            type="incident",
            base_version=1,
        )
    )
    assert closed["results"][0]["status"] == "applied"
    # A phone that was offline logs what it did before it heard of the close.
    late = owner.sync(entry(incident, text="Llamé al banco"))
    assert late["results"][0]["status"] == "applied"


def test_who_logged_an_entry_is_the_servers_to_say(app, device, make_user, add_member):
    owner = device(user=make_user(name="Marta Ruiz"))
    luis = make_user(name="Luis Gómez")
    add_member(owner.workspace_obj, luis, "editor")
    editor = device(owner.workspace_obj, "editor", user=luis)
    incident = start_incident(owner)
    owner.sync(entry(incident, text="Abrí el incidente"))
    editor.sync(entry(incident, text="Llamé al banco", author="Marta Ruiz"))
    entries = [c["data"] for c in owner.sync(cursor=0)["changes"] if c["type"] == "incident_entry"]
    assert [(e["text"], e["author"]) for e in entries] == [
        ("Abrí el incidente", "Marta Ruiz"),
        ("Llamé al banco", "Luis Gómez"),
    ]
