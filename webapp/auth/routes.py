"""Sign-in, sign-out, re-authentication, the account page and the language switcher."""

from __future__ import annotations

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
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.audit import service as audit
from webapp.auth import service
from webapp.auth.forms import LanguageForm, LoginForm, PasswordForm, ProfileForm, ReauthForm
from webapp.auth.session import (
    mark_authenticated,
    refresh_identity,
    safe_next,
    sign_in,
    sign_out,
)
from webapp.db import get_session
from webapp.errors import ServiceError
from webapp.extensions import client_address, limiter
from webapp.i18n import LANG_COOKIE

bp = Blueprint("auth", __name__)

SIGN_IN_LIMIT = "10 per minute"


def _failed_sign_in(_response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


def _account_key() -> str:
    return "account:" + service.normalize_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    SIGN_IN_LIMIT, key_func=client_address, methods=["POST"], deduct_when=_failed_sign_in
)
@limiter.limit(SIGN_IN_LIMIT, key_func=_account_key, methods=["POST"], deduct_when=_failed_sign_in)
def login() -> Response | str:
    """Show the sign-in form; sign in and redirect on success."""
    target = safe_next(request.args.get("next")) or url_for("pages.app_shell")
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        user = service.find_user(session, form.email.data)
        if service.verify_password(user, form.password.data):
            assert user is not None
            audit.record(session, "auth.sign_in", actor_id=user.id, subject_id=user.id)
            session.commit()
            sign_in(user)
            return redirect(target)
        g.sign_in_failed = True
        audit.record(
            session,
            "auth.sign_in_failed",
            subject_id=user.id if user else None,
            email=service.normalize_email(form.email.data)[:254],
        )
        session.commit()
        # The same words whether the email exists or not.
        form.password.errors.append(_("The email or password is incorrect."))
    return render_template("auth/login.html", form=form, language_form=LanguageForm())


@bp.post("/logout")
def logout() -> Response:
    """Sign out this device."""
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
        session = get_session()
        if service.verify_password(current_user, form.password.data):
            mark_authenticated()
            session.commit()
            return redirect(target)
        audit.record(
            session, "auth.reauth_failed", actor_id=current_user.id, subject_id=current_user.id
        )
        session.commit()
        form.password.errors.append(_("That password is incorrect."))
    return render_template("auth/reauth.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    """Change name, language and password."""
    session = get_session()
    user = current_user._get_current_object()
    profile = ProfileForm(prefix="profile", obj=user if request.method == "GET" else None)
    password = PasswordForm(prefix="password")
    if request.method == "GET":
        profile.locale.data = user.locale or str(
            request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "es"
        )
    if "profile-submit" in request.form and profile.validate_on_submit():
        user.name = profile.name.data.strip()
        user.locale = profile.locale.data
        session.commit()
        flash(_("Your account was saved."), "success")
        return redirect(url_for("auth.account"))
    if "password-submit" in request.form and password.validate_on_submit():
        try:
            service.change_password(
                session, user, password.current_password.data, password.new_password.data
            )
        except ServiceError as error:
            getattr(password, error.field or "new_password").errors.append(error.message)
        else:
            audit.record(session, "auth.password_changed", actor_id=user.id, subject_id=user.id)
            session.commit()
            refresh_identity(user)
            flash(_("Your password was changed. Other devices are signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile, password=password)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """Sign out every device of this user, this one included."""
    session = get_session()
    user = current_user._get_current_object()
    service.sign_out_everywhere(session, user)
    audit.record(session, "auth.signed_out_everywhere", actor_id=user.id, subject_id=user.id)
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
