"""Who is using the app: the personal profile, or the person signed in through OpenID Connect.

The one place the UI learns the current Identity. Personal mode reads the profile saved in the data
folder and asks for it in the sidebar until it exists; team mode uses Streamlit's own ``st.login`` /
``st.user`` / ``st.logout`` (Authlib; the provider is configured in ``.streamlit/secrets.toml``) and the
role mapping from the settings. Nothing here decides what a permission allows: the store does.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from candidacy.errors import NoIdentityError
from candidacy.identity import Identity
from candidacy.identity.profile import ProfileError, load_profile, save_profile
from candidacy.identity.roles import NoRoleError, identity_from_claims
from candidacy.reports.render import escape_markdown
from candidacy.settings import Settings, SettingsError, load_settings
from candidacy.ui.state import PROFILE_MESSAGE, PROFILE_NAME, PROFILE_ROLE

__all__ = ["current_identity", "draft_owner", "identity_sidebar", "require_identity", "require_sign_in"]


def _settings() -> Settings:
    """The settings; a bad value stops the page with one line per problem (never a traceback)."""
    try:
        return load_settings()
    except SettingsError as error:
        st.error(
            "candidacy cannot start: a setting has a bad value.\n\n"
            + "\n".join(f"- {escape_markdown(str(p))}" for p in error.problems),
            icon=":material/settings_alert:",
        )
        st.stop()
        raise  # st.stop() raises; this line keeps the type checker sure of it


def _claims() -> dict[str, Any]:
    return dict(st.user.to_dict())


def current_identity() -> Identity | None:
    """The person acting now, or None when nobody is known yet."""
    settings = _settings()
    if settings.mode == "team":
        if not st.user.is_logged_in:
            return None
        try:
            return identity_from_claims(_claims(), settings.role_mapping())
        except NoRoleError:
            return None
    try:
        return load_profile(settings.data_dir)
    except ProfileError:
        return None


def require_identity() -> Identity:
    """The person acting now; NoIdentityError with what to do when nobody is known (nothing is saved)."""
    identity = current_identity()
    if identity is not None:
        return identity
    if _settings().mode == "team":
        raise NoIdentityError("Sign in with a role in candidacy first; nothing was saved.")
    raise NoIdentityError(
        "Give your name and role in the sidebar first (asked once, kept on this machine); nothing was saved."
    )


def draft_owner() -> str:
    """Whose unsaved drafts these are: the signed-in person in team mode, this machine's clinician otherwise."""
    user = getattr(st, "user", None)
    try:
        signed_in = bool(user is not None and user.is_logged_in)
    except (AttributeError, KeyError):  # no sign-in configured
        signed_in = False
    if signed_in and user is not None:
        subject = str(user.get("email") or user.get("sub") or "")
        if subject:
            return "user-" + hashlib.sha256(subject.encode()).hexdigest()[:24]
    return "personal"


def _auth_configured(settings: Settings) -> str | None:
    """None when secrets.toml has the [auth] section team mode needs; otherwise what is missing."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, OSError, ValueError):
        auth = None
    if not auth:
        return "the [auth] section of .streamlit/secrets.toml is missing"
    if settings.oidc_provider and settings.oidc_provider not in auth:
        return f"CANDIDACY_OIDC_PROVIDER is '{settings.oidc_provider}' but [auth.{settings.oidc_provider}] is missing"
    return None


def require_sign_in() -> None:
    """Team mode: stop the page until someone with a role is signed in. Personal mode: nothing to do."""
    settings = _settings()
    if settings.mode != "team":
        return
    missing = _auth_configured(settings)
    if missing:
        st.error(
            f"Team mode needs OpenID Connect sign-in, but {escape_markdown(missing)}. "
            "The README (Team mode) shows the settings to add.",
            icon=":material/settings_alert:",
        )
        st.stop()
    if not st.user.is_logged_in:
        st.title("Sign in")
        st.markdown("candidacy is shared by the referral team. Sign in with your hospital account to continue.")
        if st.button("Sign in", key="sign-in", type="primary", icon=":material/login:"):
            if settings.oidc_provider:
                st.login(settings.oidc_provider)
            else:
                st.login()
        st.stop()
    try:
        identity_from_claims(_claims(), settings.role_mapping())
    except NoRoleError as error:
        st.title("No role in candidacy")
        st.warning(escape_markdown(str(error)), icon=":material/no_accounts:")
        if st.button("Sign out", key="sign-out-norole", icon=":material/logout:"):
            st.logout()
        st.stop()


def _save_profile() -> None:
    try:
        name, role = st.session_state.get(PROFILE_NAME), st.session_state.get(PROFILE_ROLE)
        saved = save_profile(_settings().data_dir, name, role)
    except ProfileError as error:
        st.session_state[PROFILE_MESSAGE] = ("error", "Not saved: " + "; ".join(str(p) for p in error.problems))
        return
    st.session_state[PROFILE_MESSAGE] = ("success", f"Saved: {saved.name} ({saved.role}).")


def _profile_form(known: Identity | None) -> None:
    if known is not None:  # the form starts from what is saved
        st.session_state.setdefault(PROFILE_NAME, known.name)
        st.session_state.setdefault(PROFILE_ROLE, known.role)
    with st.form("profile-form", border=False, enter_to_submit=True):
        st.text_input("Your name", key=PROFILE_NAME, max_chars=120, placeholder="e.g. Dr A. Example")
        st.text_input("Your role", key=PROFILE_ROLE, max_chars=120, placeholder="e.g. Consultant in rehabilitation")
        st.form_submit_button("Save name and role", key="profile-save", on_click=_save_profile)


def _personal_sidebar(settings: Settings) -> None:
    problem = None
    try:
        known = load_profile(settings.data_dir)
    except ProfileError as error:
        known, problem = None, error
    message = st.session_state.pop(PROFILE_MESSAGE, None)
    if message is not None:
        (st.error if message[0] == "error" else st.success)(escape_markdown(message[1]))
    if known is None:
        if problem is not None:
            st.error(f"The saved profile cannot be used: {escape_markdown(str(problem))}")
        st.markdown(  # a prompt, not an alert: the pages' own warnings stay about the case
            ":material/badge: **Who is assessing?** Your name and role go into the audit trail and the "
            "sign-off. Asked once, kept on this machine."
        )
        _profile_form(None)
        return
    st.markdown(f"**{escape_markdown(known.name)}** · {escape_markdown(known.role)}")
    with st.expander("Change name or role", icon=":material/badge:"):
        _profile_form(known)


def _team_sidebar(settings: Settings) -> None:
    try:
        known = identity_from_claims(_claims(), settings.role_mapping())
    except NoRoleError:
        return
    st.markdown(
        f"Signed in: **{escape_markdown(known.name)}** ({escape_markdown(known.subject)}) · "
        f"{escape_markdown(known.role)}"
    )
    if st.button("Sign out", key="sign-out", icon=":material/logout:"):
        st.logout()


def identity_sidebar() -> None:
    """The identity part of the sidebar (call inside ``with st.sidebar``)."""
    settings = _settings()
    if settings.mode == "team":
        if st.user.is_logged_in:
            _team_sidebar(settings)
        return
    _personal_sidebar(settings)
