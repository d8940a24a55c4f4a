"""The forms of the login and of the administration of users and tokens."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from belegung import texts
from belegung.auth.models import Role
from belegung.http.forms import IdempotentForm, PageForm, options
from belegung.limits import PASSWORD_MIN, TOKEN_NAME_MAX, USER_NAME_MAX

REQUIRED = texts.FORMS["required"]


class LoginForm(PageForm):
    name = StringField(
        texts.AUTH_PAGES["name"],
        validators=[DataRequired(REQUIRED), Length(max=USER_NAME_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        texts.AUTH_PAGES["password"],
        validators=[InputRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, texts.ROLES[role.value]) for role in Role]


class UserForm(PageForm):
    role = SelectField(
        texts.ADMIN["role"], choices=options(_role_choices()), validators=[InputRequired()]
    )
    facilities = SelectMultipleField(texts.ADMIN["facilities"], choices=[], validate_choice=True)
    active = BooleanField(texts.ADMIN["active"], default=True)
    password = PasswordField(
        texts.ADMIN["password"],
        validators=[
            Optional(),
            Length(min=PASSWORD_MIN, message=texts.FORMS["password_min"].format(min=PASSWORD_MIN)),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class NewUserForm(UserForm):
    name = StringField(
        texts.ADMIN["user_name"],
        validators=[DataRequired(REQUIRED), Length(max=USER_NAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    password = PasswordField(
        texts.ADMIN["password_new"],
        validators=[
            Optional(),
            Length(min=PASSWORD_MIN, message=texts.FORMS["password_min"].format(min=PASSWORD_MIN)),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class TokenForm(PageForm):
    user = SelectField(texts.ADMIN["token_user"], coerce=int, choices=[])
    label = StringField(
        texts.ADMIN["token_label"], validators=[Optional(), Length(max=TOKEN_NAME_MAX)]
    )


class ActionForm(PageForm):
    """A button that changes something (revoke, log out): only the CSRF token."""


class CreateForm(IdempotentForm):
    """A button that creates something: CSRF token and idempotency key."""
