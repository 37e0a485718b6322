"""The demo site's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Final, ParamSpec

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.security import generate_password_hash

from otpcore.demo._db import User
from otpcore.demo._forms import (
    CodeForm,
    LoginForm,
    PhoneForm,
    RecoveryForm,
    SignUpForm,
)
from otpcore.demo._site import INVALID_PHONE, Refusal, Site
from otpcore.errors import InvalidRecipientError
from otpcore.sms import parse_phone

__all__ = ["EXTENSION", "pages"]

#: The key under which the app keeps its :class:`Site` in ``extensions``.
EXTENSION: Final = "otpcore_demo"

pages = Blueprint("demo", __name__)

_P = ParamSpec("_P")

# Said for a wrong password and for an unknown username alike, so the form
# does not tell which usernames exist.
WRONG_LOGIN: Final = "Wrong username or password."
USERNAME_TAKEN: Final = "That username is taken. Choose another one."
LOGIN_EXPIRED: Final = "The login took too long. Log in again."
# Below this many recovery codes, a login says how many are left.
_FEW_RECOVERY_CODES: Final = 3
# Status codes for a page shown again with an error on it.
_INVALID: Final = 400
_REFUSED: Final = 401

# Cookie session keys: the login token, and the pending-login token.
_SESSION: Final = "sid"
_PENDING: Final = "pending"


def _site() -> Site:
    site: Site = current_app.extensions[EXTENSION]
    return site


@pages.before_app_request
def _load_user() -> None:
    token = session.get(_SESSION)
    g.user = _site().db.session_user(token) if isinstance(token, str) else None


def _login_required(
    view: Callable[_P, ResponseReturnValue],
) -> Callable[_P, ResponseReturnValue]:
    @wraps(view)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> ResponseReturnValue:
        if g.user is None:
            flash("Log in first.")
            return redirect(url_for(".log_in"))
        return view(*args, **kwargs)

    return wrapper


def _user() -> User:
    user: User = g.user
    return user


def _restart_session() -> None:
    # Rotating the session at each step of a login stops session fixation:
    # whatever an attacker planted in the cookie beforehand is worth
    # nothing after, and the tokens it held die on the server too.
    db = _site().db
    for key, close in (
        (_SESSION, db.close_session),
        (_PENDING, db.close_pending),
    ):
        token = session.get(key)
        if isinstance(token, str):
            close(token)
    session.clear()


def _start_session(user: User) -> None:
    _restart_session()
    session[_SESSION] = _site().db.open_session(user.id)


def _start_pending_login(user: User) -> None:
    # The password was right; what that proved is kept server-side, under a
    # random token that expires, not as a flag in the signed cookie.
    _restart_session()
    session[_PENDING] = _site().db.open_pending(user.id)


def _status(error: str | None, code: int = _INVALID) -> int:
    return 200 if error is None else code


@pages.route("/", methods=["GET", "POST"])
def log_in() -> ResponseReturnValue:
    """Log in with username and password; ask for a code if enabled."""
    if g.user is not None:
        return redirect(url_for(".user"))
    site = _site()
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = site.db.user_by_name(form.username.data.strip())
        if not site.password_ok(user, form.password.data):
            error = WRONG_LOGIN
        elif user is not None and user.tfa_method is None:
            _start_session(user)
            return redirect(url_for(".user"))
        elif user is not None:
            _start_pending_login(user)
            return redirect(url_for(".verify_tfa"))
    elif form.is_submitted():
        error = "Enter your username and password."
    return render_template("log_in.html", form=form, error=error), _status(
        error, _REFUSED
    )


@pages.route("/sign-up/", methods=["GET", "POST"])
def sign_up() -> ResponseReturnValue:
    """Create an account and log in to it."""
    if g.user is not None:
        return redirect(url_for(".user"))
    form = SignUpForm()
    error = None
    if form.validate_on_submit():
        user = _site().db.create_user(
            form.username.data.strip(),
            generate_password_hash(form.password.data),
        )
        if user is not None:
            _start_session(user)
            flash("Welcome! Your account is ready.")
            return redirect(url_for(".user"))
        form.username.errors.append(USERNAME_TAKEN)
    if form.errors:
        error = "The form has errors; see below."
    return render_template("sign_up.html", form=form, error=error), _status(
        error
    )


@pages.route("/user/")
@_login_required
def user() -> ResponseReturnValue:
    """Show the account and its two-factor settings."""
    user = _user()
    return render_template(
        "user.html",
        recovery_left=_site().recovery_left(user),
    )


@pages.route("/log-out/", methods=["POST"])
def log_out() -> ResponseReturnValue:
    """End the session (a POST with a CSRF token, so no link can do it)."""
    # CSRFProtect has checked the token before this runs.
    _restart_session()
    flash("You are logged out.")
    return redirect(url_for(".log_in"))


def _enabled_already() -> ResponseReturnValue | None:
    if _user().tfa_method is None:
        return None
    flash("Two-factor login is already on. Turn it off first to change it.")
    return redirect(url_for(".user"))


def _recovery_page(user: User) -> ResponseReturnValue:
    # Shown in the response to the confirming POST and never stored in
    # clear, so the codes appear exactly once.
    codes = _site().issue_recovery_codes(user)
    return render_template("recovery_codes.html", codes=codes)


@pages.route("/enable-tfa-via-app/", methods=["GET", "POST"])
@_login_required
def enable_tfa_via_app() -> ResponseReturnValue:
    """Show a new key as a QR code and as text; turn it on with a code."""
    if (done := _enabled_already()) is not None:
        return done
    site, user = _site(), _user()
    form = CodeForm()
    error = None
    status = 200
    enrolment = site.db.enrolment(user.id, "app")
    key = None if enrolment is None else enrolment.totp_secret
    if request.method == "POST" and key is None:
        error = "That took too long, so here is a new key. Scan it again."
        status = _INVALID
    elif key is not None and form.validate_on_submit():
        refusal = site.check_app_code(user, key, form.code.data)
        if refusal is None:
            site.db.enable_tfa(user.id, "app", totp_secret=key)
            return _recovery_page(user)
        error, status = refusal.message, refusal.status
        form.code.data = ""
    elif form.errors:
        error, status = "Enter the code the app shows.", _INVALID
    if key is None:
        key = site.new_key(user)
        site.db.start_enrolment(user.id, "app", totp_secret=key)
    return render_template(
        "enable_app.html",
        form=form,
        error=error,
        new=site.provisioning(key, user),
    ), status


def _send_to_new_number(user: User, form: PhoneForm) -> Refusal | None:
    if not form.validate():
        return Refusal("Enter your phone number.")
    try:
        phone = parse_phone(form.phone.data)
    except InvalidRecipientError:
        form.phone.errors.append(INVALID_PHONE)
        return Refusal(INVALID_PHONE)
    refusal = _site().send_code(user, phone)
    if refusal is None:
        _site().db.start_enrolment(user.id, "sms", phone=phone)
    return refusal


def _confirm_number(user: User, form: CodeForm) -> Refusal | None:
    if not form.validate():
        return Refusal("Enter the code we sent.")
    refusal, phone = _site().confirm_number(user, form.code.data)
    if refusal is None:
        # The number the accepted code went to: the one the user has shown
        # they hold, whatever was typed since.
        _site().db.enable_tfa(user.id, "sms", phone=phone)
    form.code.data = ""
    return refusal


@pages.route("/enable-tfa-via-sms/", methods=["GET", "POST"])
@_login_required
def enable_tfa_via_sms() -> ResponseReturnValue:
    """Ask for a phone number, text it a code, turn it on with the code."""
    if (done := _enabled_already()) is not None:
        return done
    site, user = _site(), _user()
    phone_form, code_form = PhoneForm(), CodeForm()
    action = request.form.get("action") if request.method == "POST" else None
    here = redirect(url_for(".enable_tfa_via_sms"))
    enrolment = site.db.enrolment(user.id, "sms")
    phone = None if enrolment is None else enrolment.phone
    refusal = None
    if action == "phone":
        refusal = _send_to_new_number(user, phone_form)
        if refusal is None:
            return here
        # A refused number is shown again in its field.
        phone = None
    elif action is not None and phone is None:
        refusal = Refusal("That took too long. Enter your phone number again.")
    elif action == "code":
        refusal = _confirm_number(user, code_form)
        if refusal is None:
            return _recovery_page(user)
    elif action == "resend" and phone is not None:
        refusal = site.send_code(user, phone)
        if refusal is None:
            flash("We sent a new code.")
            return here
    elif action == "restart":
        site.db.end_enrolment(user.id)
        return here
    return render_template(
        "enable_sms.html",
        phone=phone,
        phone_form=phone_form,
        code=code_form,
        error=None if refusal is None else refusal.message,
    ), 200 if refusal is None else refusal.status


def _pending_user() -> User | None:
    token = session.get(_PENDING)
    if not isinstance(token, str):
        return None
    user = _site().db.pending_user(token)
    if user is None or user.tfa_method is None:
        return None
    return user


def _second_factor(user: User) -> tuple[Refusal | None, bool]:
    """Handle a POST of the second-factor forms: (refusal, accepted)."""
    site = _site()
    code_form, recovery_form = CodeForm(), RecoveryForm()
    action = request.form.get("action")
    if action == "send" and user.phone is not None:
        refusal = site.send_code(user, user.phone)
        if refusal is None:
            flash(
                f"We sent a code to your number ending in {user.phone[-4:]}."
            )
        return refusal, False
    if action == "code" and code_form.validate():
        refusal = site.check_second_factor(user, code_form.code.data)
        return refusal, refusal is None
    if action == "recovery" and recovery_form.validate():
        refusal = site.check_recovery_code(
            user, recovery_form.recovery_code.data
        )
        return refusal, refusal is None
    if action == "recovery":
        return Refusal("Enter a recovery code."), False
    return Refusal("Enter the code."), False


def _second_factor_page(
    template: str, user: User, refusal: Refusal | None, button: str
) -> ResponseReturnValue:
    code_form, recovery_form = CodeForm(), RecoveryForm()
    # A refused code is not shown again, so the next one is typed afresh.
    code_form.code.data = ""
    recovery_form.recovery_code.data = ""
    return render_template(
        template,
        user=user,
        button=button,
        code=code_form,
        recovery=recovery_form,
        error=None if refusal is None else refusal.message,
    ), 200 if refusal is None else refusal.status


@pages.route("/verify-tfa/", methods=["GET", "POST"])
def verify_tfa() -> ResponseReturnValue:
    """Ask for the second factor after a right password."""
    user = _pending_user()
    if user is None:
        if session.pop(_PENDING, None) is not None:
            flash(LOGIN_EXPIRED)
        return redirect(url_for(".log_in"))
    refusal = None
    if request.method == "POST":
        refusal, accepted = _second_factor(user)
        if accepted:
            _start_session(user)
            left = _site().recovery_left(user)
            if left <= _FEW_RECOVERY_CODES:
                flash(
                    f"Recovery codes left: {left}. Turn two-factor login off"
                    " and on again to get new ones."
                )
            return redirect(url_for(".user"))
        if refusal is None:
            return redirect(url_for(".verify_tfa"))
    return _second_factor_page("verify_tfa.html", user, refusal, "Log in")


@pages.route("/disable-tfa/", methods=["GET", "POST"])
@_login_required
def disable_tfa() -> ResponseReturnValue:
    """Turn two-factor login off once a current code is given."""
    site, user = _site(), _user()
    if user.tfa_method is None:
        return redirect(url_for(".user"))
    refusal = None
    if request.method == "POST":
        refusal, accepted = _second_factor(user)
        if accepted:
            site.db.disable_tfa(user.id)
            site.forget_recovery_codes(user)
            flash("Two-factor login is off.")
            return redirect(url_for(".user"))
        if refusal is None:
            return redirect(url_for(".disable_tfa"))
    return _second_factor_page(
        "disable_tfa.html", user, refusal, "Turn off two-factor login"
    )
