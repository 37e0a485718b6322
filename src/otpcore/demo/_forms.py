"""The demo site's forms, each with a CSRF token (Flask-WTF)."""

from __future__ import annotations

from typing import Final

from flask_wtf import FlaskForm  # type: ignore[import-untyped]
from wtforms import (  # type: ignore[import-untyped]
    PasswordField,
    StringField,
)
from wtforms.validators import (  # type: ignore[import-untyped]
    EqualTo,
    InputRequired,
    Length,
    Regexp,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "CodeForm",
    "LoginForm",
    "PhoneForm",
    "RecoveryForm",
    "SignUpForm",
]

#: NIST SP 800-63B section 5.1.1.1: memorized secrets chosen by the user
#: "SHALL be at least 8 characters in length".
MIN_PASSWORD_LENGTH: Final = 8
#: NIST SP 800-63B section 5.1.1.2 asks verifiers to allow at least 64.
MAX_PASSWORD_LENGTH: Final = 256
# Usernames go into the otpauth:// label, where a colon cannot appear (Key
# URI format); a small alphabet also keeps them unambiguous on screen.
_USERNAME_PATTERN: Final = r"^[A-Za-z0-9._@+-]{3,64}$"
_USERNAME_RULE: Final = (
    "Use 3 to 64 letters, digits, or the characters . _ @ + -"
)
# A typed code is checked by the library, which reads spaces, hyphens and
# digits of any script; this only stops absurd input before it gets there.
_MAX_CODE_LENGTH: Final = 64
_MAX_PHONE_LENGTH: Final = 32

_CODE_INPUT: Final = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "spellcheck": "false",
}


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Username and password."""

    username = StringField(
        "Username",
        validators=[InputRequired("Enter your username.")],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


class SignUpForm(FlaskForm):  # type: ignore[misc]
    """A new username and a password typed twice."""

    username = StringField(
        "Username",
        validators=[
            InputRequired("Choose a username."),
            Regexp(_USERNAME_PATTERN, message=_USERNAME_RULE + "."),
        ],
        description=_USERNAME_RULE + ".",
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=(
                    f"The password must have {MIN_PASSWORD_LENGTH} to "
                    f"{MAX_PASSWORD_LENGTH} characters."
                ),
            ),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    repeat_password = PasswordField(
        "Repeat password",
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", message="The passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class CodeForm(FlaskForm):  # type: ignore[misc]
    """A code from an authenticator app or a text message."""

    code = StringField(
        "Code",
        validators=[
            InputRequired("Enter the code."),
            Length(max=_MAX_CODE_LENGTH, message="Wrong code."),
        ],
        render_kw=_CODE_INPUT,
    )


class RecoveryForm(FlaskForm):  # type: ignore[misc]
    """One of the recovery codes shown when two-factor login was enabled."""

    recovery_code = StringField(
        "Recovery code",
        validators=[
            InputRequired("Enter a recovery code."),
            Length(max=_MAX_CODE_LENGTH, message="Wrong recovery code."),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class PhoneForm(FlaskForm):  # type: ignore[misc]
    """The mobile number that will receive codes."""

    phone = StringField(
        "Phone number",
        validators=[
            InputRequired("Enter your phone number."),
            Length(max=_MAX_PHONE_LENGTH, message="Invalid phone number."),
        ],
        description="In international form, like +44 7700 900123.",
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
