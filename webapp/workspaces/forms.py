"""Workspace forms."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from webapp.workspaces import service

ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor"), "viewer": _l("Viewer")}


def role_choices() -> list[SelectChoice]:
    """Return the roles as form choices, least powerful first."""
    return [SelectChoice(role, str(ROLE_LABELS[role])) for role in ("viewer", "editor", "owner")]


def country_choices() -> list[SelectChoice]:
    """Return the countries as form choices, by name in the user's language."""
    locale = str(get_locale())
    names = [SelectChoice(code, service.country_name(code, locale)) for code in service.countries()]
    return [SelectChoice("", "—"), *sorted(names, key=lambda choice: choice.label.casefold())]


class WorkspaceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    city = StringField(_l("City"), validators=[DataRequired(_l("Enter a city.")), Length(max=120)])
    timezone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=64)],
        description=_l("Leave empty to use the country's main time zone."),
    )
    language = SelectField(
        _l("Language of its emergency numbers and playbooks"),
        choices=[
            SelectChoice("", _l("By country")),
            SelectChoice("es", "Español"),
            SelectChoice("en", "English"),
        ],
        default="",
        validators=[Optional()],
    )


class InvitationForm(FlaskForm):
    role = SelectField(_l("Role"), default="viewer")
    note = StringField(_l("Note (who it is for)"), validators=[Optional(), Length(max=200)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""


# Each unlock policy (UnlockPolicy) with one line on what it means for the members.
UNLOCK_POLICY_HINTS = {
    "pin": _l(
        "Each member chooses a 6-digit PIN, a passphrase or a passkey: the quickest to open "
        "in a crisis."
    ),
    "passphrase": _l(
        "A passphrase or a passkey, never a 6-digit PIN: slower to type, far harder to guess "
        "on a lost or stolen phone."
    ),
}


class UnlockPolicyForm(FlaskForm):
    unlock_policy = RadioField(
        _l("How members unlock the app on their phones"),
        choices=[
            SelectChoice("pin", _l("PIN, passphrase or passkey")),
            SelectChoice("passphrase", _l("Passphrase or passkey only")),
        ],
        validators=[AnyOf(("pin", "passphrase"), _l("Choose PIN or passphrase."))],
        validate_choice=False,  # AnyOf says it in words of this form
    )
