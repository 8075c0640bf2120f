"""Sign-in, sign-up, sign-out, re-authentication, the account page and the language switcher."""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.auth import limits, service, signup
from webapp.auth.forms import (
    LanguageForm,
    LoginForm,
    OpenSignUpForm,
    PasswordForm,
    ProfileForm,
    ReauthForm,
)
from webapp.auth.models import User
from webapp.auth.session import (
    mark_authenticated,
    safe_next,
    sign_in,
    sign_out,
)
from webapp.db import get_session
from webapp.errors import Conflict, ServiceError, error_response
from webapp.extensions import client_address, limiter
from webapp.i18n import LANG_COOKIE

bp = Blueprint("auth", __name__)


def refused(error: ServiceError) -> Response:
    """Answer a refused attempt: 429 for too many failures, 503 when hashing is saturated."""
    retry = getattr(error, "retry_after", 60)
    return error_response(error.status, error.message, headers={"Retry-After": str(retry)})


def reserve_attempt(email: str) -> limits.Attempt | Response:
    """Admit a password attempt for the account from this address, or answer the refusal (429).

    Sign-in, /reauth and /account share these counters (webapp/auth/limits.py).
    """
    try:
        return limits.reserve(limits.account_key(email), limits.address_key(client_address()))
    except limits.TooManyFailures as error:
        if request.endpoint == "auth.login" and not error.in_flight:
            error.message = _("Too many failed sign-ins. Wait a minute, then try again.")
        return refused(error)


def check_password(
    attempt: limits.Attempt, user: User | None, email: str, password: str, failure: str
) -> Response | bool:
    """Check a password whose attempt was admitted; count and audit a wrong one at once.

    Returns whether the password is right, or the refusal to answer with (503).
    """
    with attempt:  # settled as no failure unless counted below (right, busy, an error)
        get_session().commit()  # hold no write lock while hashing
        try:
            right = service.verify_password(user, password)
        except service.HashingBusy as error:
            return refused(error)
        if not right:
            reached = attempt.failed()
            by_user = failure != "auth.sign_in_failed"  # /reauth and /account: the user typed it
            service.record_wrong_password(failure, user, email, by_user=by_user)
            if reached:  # this failure used up the account's allowance
                service.record_wrong_password("auth.sign_in_limited", user, email, by_user=False)
        return right


def check_own_password(user: User, password: str, failure: str) -> Response | bool:
    """Check the signed-in user's password (re-authentication, the account page)."""
    attempt = reserve_attempt(user.email)
    if isinstance(attempt, Response):
        return attempt
    return check_password(attempt, user, user.email, password, failure)


class WrongPassword(ServiceError):
    """The current password typed to change it is wrong (counted and audited already)."""

    status = 403


def change_own_password(user: User, current: str, new: str) -> Response | None:
    """Change the signed-in user's password as the account page and the API do; None when done.

    The new password is checked first (a weak one costs no attempt), then the current one
    against the shared failure counters; then every other device session ends, this device's
    unlock token is void and the snapshot key rotates (`service.change_password`). This device
    stays signed in with a fresh password entry, so it may fetch the new key and a new token.
    Returns the refusal to answer with (429, 503).

    :raises ServiceError: naming `new_password`; :raises WrongPassword: naming `current_password`.
    """
    try:
        service.check_password_strength(new)
    except ServiceError as error:
        raise ServiceError(error.message, field="new_password") from None
    right = check_own_password(user, current, "auth.password_change_failed")
    if isinstance(right, Response):
        return right
    if not right:
        raise WrongPassword(_("The current password is incorrect."), field="current_password")
    session = get_session()
    try:
        service.change_password(session, user, new, keep=user.device)
    except service.HashingBusy as error:
        return refused(error)
    session.commit()
    mark_authenticated()
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Show the sign-in form; sign in and redirect on success."""
    target = safe_next(request.args.get("next")) or url_for("pages.app_shell")
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        email = service.normalize_email(form.email.data)
        attempt = reserve_attempt(email)  # before anything else: a refusal costs nothing
        if isinstance(attempt, Response):
            return attempt
        session = get_session()
        try:
            user = service.find_user(session, email)
        except BaseException:
            attempt.not_a_failure()  # the database failed: the slot goes back, nothing checked
            raise
        right = check_password(attempt, user, email, form.password.data, "auth.sign_in_failed")
        if isinstance(right, Response):
            return right
        if right:
            assert user is not None
            token = service.start_device_session(
                session, user, request.headers.get("User-Agent", ""), client_address()
            )
            session.commit()
            sign_in(user, token)
            return redirect(target)
        # The same words whether the email exists or not.
        form.password.errors.append(_("The email or password is incorrect."))
    return render_template(
        "auth/login.html", form=form, language_form=LanguageForm(), signup_open=signup_open()
    )


def signup_open() -> bool:
    """Tell whether anyone may create an account here (ENLACE_SIGNUP=open)."""
    return current_app.config["SIGNUP"] == "open"


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _signup_counted(_response: Response) -> bool:
    # Only an account made or a taken email uses up the address's allowance: a typo does not.
    return bool(g.get("signup_counted"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"], deduct_when=_signup_counted)
def signup_page() -> Response | str | tuple[str, int]:
    """Create an account (when sign-up is open), sign in, and go on to create a workspace."""
    if not signup_open():
        return render_template("auth/signup_closed.html"), 404
    if current_user.is_authenticated:
        return redirect(url_for("pages.app_shell"))
    form = OpenSignUpForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        session = get_session()
        try:
            user, token = signup.sign_up(
                session,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                locale=form.locale.data,
                user_agent=request.headers.get("User-Agent", ""),
                address=client_address(),
            )
        except (limits.TooManyFailures, service.HashingBusy) as error:
            return refused(error)
        except ServiceError as error:
            getattr(form, error.field or "email").errors.append(error.message)
            if isinstance(error, Conflict):
                g.signup_counted = True
                form.email.errors.append(_("Sign in with it instead, or use another email."))
        else:
            session.commit()
            g.signup_counted = True
            sign_in(user, token)
            flash(_("Welcome, %(name)s. Now create your workspace.", name=user.name), "success")
            return redirect(url_for("toolkit.create_workspace"))
    return render_template("auth/signup.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Sign out this device: its device session ends, so a copy of the cookie stops working."""
    session = get_session()
    if current_user.is_authenticated:
        service.end_this_device(session, current_user._get_current_object())
    session.commit()
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth() -> Response | str:
    """Ask for the password again before a sensitive action."""
    target = safe_next(request.args.get("next")) or url_for("pages.app_shell")
    form = ReauthForm()
    if form.validate_on_submit():
        right = check_own_password(current_user, form.password.data, "auth.reauth_failed")
        if isinstance(right, Response):
            return right
        if right:
            mark_authenticated()
            get_session().commit()  # a password rehash, if any
            return redirect(target)
        form.password.errors.append(_("That password is incorrect."))
    return render_template("auth/reauth.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    """Change name, language and password; list the signed-in devices."""
    session = get_session()
    user = current_user._get_current_object()
    profile = ProfileForm(prefix="profile", obj=user if request.method == "GET" else None)
    password = PasswordForm(prefix="password")
    if request.method == "GET":
        profile.locale.data = user.locale or str(
            request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "es"
        )
    if "profile-submit" in request.form and profile.validate_on_submit():
        try:
            service.update_profile(session, user, profile.name.data, profile.locale.data)
        except ServiceError as error:
            getattr(profile, error.field or "name").errors.append(error.message)
        else:
            session.commit()
            flash(_("Your account was saved."), "success")
            return redirect(url_for("auth.account"))
    if "password-submit" in request.form and password.validate_on_submit():
        try:
            refusal = change_own_password(
                user, password.current_password.data, password.new_password.data
            )
        except ServiceError as error:
            getattr(password, error.field or "new_password").errors.append(error.message)
        else:
            if refusal is not None:
                return refusal
            flash(_("Your password was changed. Other devices are signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        profile=profile,
        password=password,
        devices=service.devices_of(session, user),
        this_device=user.device,
    )


@bp.post("/account/devices/<uuid:device_id>/end")
@login_required
def end_device(device_id: uuid.UUID) -> Response:
    """End one of this user's device sessions (a lost phone); this one signs out."""
    session = get_session()
    user = current_user._get_current_object()
    service.end_device(session, user, device_id)  # NotFound: 404 for another user's device
    session.commit()
    if user.device is not None and user.device.id == device_id:
        sign_out()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That device is signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """Sign out every device of this user, this one included."""
    session = get_session()
    service.sign_out_everywhere(session, current_user._get_current_object())
    session.commit()
    sign_out()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language/<lang>")
def set_language(lang: str) -> Response:
    """Remember the chosen language (cookie, and the account when signed in)."""
    form = LanguageForm()
    if lang not in current_app.config["LANGUAGES"] or not form.validate_on_submit():
        return redirect(url_for("auth.login"))
    if current_user.is_authenticated:
        current_user.locale = lang
        get_session().commit()
    target = safe_next(request.referrer) or url_for("auth.login")
    response = make_response(redirect(target))
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response
