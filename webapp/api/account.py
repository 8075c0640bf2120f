"""The account under /api/v1/account: what the account page does, for the app.

The same services, failure counters, audit events and CSRF as the page (`webapp/auth/routes.py`);
each route parses, calls, answers.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response

from webapp.auth import service
from webapp.auth.routes import WrongPassword, change_own_password
from webapp.auth.schemas import Account, AccountUpdate, Device, Devices, PasswordChange
from webapp.auth.session import sign_out
from webapp.db import get_session
from webapp.directory.schemas import error_map
from webapp.errors import ServiceError, error_response

bp = Blueprint("account_api", __name__, url_prefix="/api/v1/account")

M = TypeVar("M", bound=BaseModel)


class BadInput(ServiceError):
    """A body that is not what the operation takes: 400 with the errors by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Check the fields marked."))
        self.errors = errors


def _parse(model: type[M]) -> M:
    """Read the JSON body as `model`.

    :raises BadInput: 400 with the errors by field.
    """
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None  # nested deeper than any real request
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise BadInput(error_map(error)) from None


@bp.errorhandler(BadInput)
def _bad_input(error: BadInput) -> Response:
    return error_response(400, error.message, errors=error.errors)


def _json(answer: BaseModel) -> Response:
    return jsonify(answer.model_dump(mode="json"))


def _user() -> Any:
    return current_user._get_current_object()


@bp.get("")
@login_required
def account() -> Response:
    """Return the signed-in user's account."""
    return _json(Account.of(_user()))


@bp.patch("")
@login_required
def update_account() -> Response:
    """Change the name and/or the language; nothing changes when a field is refused."""
    body = _parse(AccountUpdate)
    user = _user()
    session = get_session()
    name = body.name if body.name is not None else user.name
    service.update_profile(session, user, name, body.locale)  # ServiceError: 400 naming it
    session.commit()
    return _json(Account.of(user))


@bp.post("/password")
@login_required
def change_password() -> Response:
    """Change the password; other devices sign out, this one stays with a void unlock token."""
    body = _parse(PasswordChange)
    try:
        refusal = change_own_password(_user(), body.current_password, body.new_password)
    except WrongPassword as error:
        return error_response(
            403, error.message, code="wrong_password", errors={"current_password": error.message}
        )
    return refusal or Response(status=204)


@bp.get("/devices")
@login_required
def devices() -> Response:
    """List the user's signed-in devices, this one marked."""
    user = _user()
    found = service.devices_of(get_session(), user)
    return _json(Devices(devices=[Device.of(device, user.device) for device in found]))


@bp.delete("/devices/<uuid:device_id>")
@login_required
def end_device(device_id: uuid.UUID) -> Response:
    """End one of the user's device sessions; ending this one signs it out (then 401s)."""
    session = get_session()
    user = _user()
    service.end_device(session, user, device_id)  # NotFound: 404 for another user's device
    session.commit()
    if user.device is not None and user.device.id == device_id:
        sign_out()
    return Response(status=204)


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """Sign out every device of the user, this one included, and rotate the snapshot key."""
    session = get_session()
    service.sign_out_everywhere(session, _user())
    session.commit()
    sign_out()
    return Response(status=204)
