"""The JSON export's shape: one declaration for the OpenAPI document and the tests that read
exports back (the CSV and vCard exports follow their RFCs and `columns.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from webapp.directory.schemas import ContactData, IncidentData, IncidentEntryData, PlaybookData

ANSWER = ConfigDict(extra="forbid")


class _Record(BaseModel):
    id: uuid.UUID
    version: int = Field(ge=1)
    revision: int = Field(ge=0)


class ExportedContact(ContactData, _Record):
    """A contact as the snapshot carries it (each phone with its `display`, read-only)."""

    model_config = ANSWER


class ExportedPlaybook(PlaybookData, _Record):
    """A playbook; `contact_ids` name contacts of the same file (or ones the member cannot see)."""

    model_config = ANSWER


class ExportedIncident(IncidentData, _Record):
    """An incident."""

    model_config = ANSWER


class ExportedIncidentEntry(IncidentEntryData, _Record):
    """An entry of an incident's log."""

    model_config = ANSWER


class ExportedWorkspace(BaseModel):
    """What a new workspace needs to read the records as they were written."""

    model_config = ANSWER

    name: str
    country: str
    city: str
    timezone: str
    language: str


class WorkspaceExport(BaseModel):
    """Everything a member may see in a workspace, at one revision (`?format=json`).

    The records keep their ids so that references between them (a contact's backup, a
    playbook's contacts, an incident's playbook, an entry's incident and contact) still hold;
    a reader that writes them into another workspace gives them new ids and maps references.
    """

    model_config = ANSWER

    format: Literal["enlace-workspace-export"]
    version: Literal[1]
    exported_at: datetime
    workspace: ExportedWorkspace
    revision: int = Field(ge=0)
    contacts: list[ExportedContact]
    playbooks: list[ExportedPlaybook]
    incidents: list[ExportedIncident]
    incident_entries: list[ExportedIncidentEntry]
