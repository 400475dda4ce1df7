"""Logging in and out, sessions, CSRF and the role-aware menu."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from crew import Crew
from integration.web.conftest import PASSWORD
from shotline.adapters.db.models import Event, WebSession


def _events(crew: Crew, kind: str) -> int:
    with crew.app.uow() as uow:
        return uow.session.scalar(select(func.count()).where(Event.kind == kind)) or 0


def test_a_page_sends_a_visitor_to_login_and_back(browser) -> None:
    anon = browser(None)
    page = anon.get("/queues?track=hero")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/queues%3Ftrack%3Dhero"
    form = anon.get(page.headers["location"])
    assert form.status_code == 200 and 'name="password"' in form.text
    token = anon.token("/login")
    done = anon.client.post(
        "/login",
        data={"username": "qc", "password": PASSWORD, "csrf_token": token, "next": "/queues"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/queues"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "shotline_session=" in cookie


def test_wrong_password_and_unknown_user_get_one_message_and_an_event(browser, crew) -> None:
    anon = browser(None)
    for name, password in (("qc", "wrong password"), ("nobody", PASSWORD)):
        token = anon.token("/login")
        page = anon.client.post(
            "/login", data={"username": name, "password": password, "csrf_token": token}
        )
        assert page.status_code == 401
        assert "wrong username or password" in page.text
        assert "shotline_session" not in anon.client.cookies
    assert _events(crew, "login_failed") == 2
    assert anon.get("/work").status_code == 303


def test_login_without_the_csrf_token_is_refused(browser) -> None:
    anon = browser(None)
    anon.token("/login")  # the CSRF cookie is set, but the form does not echo it
    page = anon.client.post("/login", data={"username": "qc", "password": PASSWORD})
    assert page.status_code == 403
    assert "security token" in page.text


def test_next_never_leaves_the_site(browser) -> None:
    anon = browser(None)
    token = anon.token("/login")
    done = anon.client.post(
        "/login",
        data={"username": "qc", "password": PASSWORD, "csrf_token": token, "next": "//evil.test"},
    )
    assert done.headers["location"] == "/"


def test_logout_deletes_the_session(browser, crew) -> None:
    qc = browser("qc")
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(WebSession)) == 1
    done = qc.post("/logout")
    assert done.status_code == 303 and done.headers["location"] == "/login"
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert qc.get("/work").status_code == 303
    assert _events(crew, "logged_out") == 1


def test_logout_without_the_token_is_refused(browser) -> None:
    qc = browser("qc")
    refused = qc.client.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert qc.get("/work").status_code == 200


def test_the_menu_shows_only_what_the_roles_allow(browser) -> None:
    merch = browser("merch").get("/work").text
    assert 'href="/intake"' in merch and 'href="/dashboard"' in merch
    qc = browser("qc").get("/work").text
    assert 'href="/intake"' not in qc and 'href="/queues"' in qc
    vendor = browser("vendor").get("/work").text
    assert 'href="/dashboard"' not in vendor and 'href="/policy"' not in vendor


def test_the_session_cookie_is_secure_over_https_or_when_configured(
    settings, crew, monkeypatch
) -> None:
    from fastapi.testclient import TestClient

    from conftest import NOW
    from shotline.entrypoints.api.app import create_app

    def login_cookie(base_url: str) -> str:
        with TestClient(create_app(settings, clock=lambda: NOW), base_url=base_url) as client:
            form = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            done = client.post(
                "/login",
                data={"username": "qc", "password": PASSWORD, "csrf_token": token.group(1)},
                follow_redirects=False,
            )
            assert done.status_code == 303
            return done.headers["set-cookie"]

    assert "Secure" not in login_cookie("http://testserver")
    assert "Secure" in login_cookie("https://testserver")
    # Behind a proxy that ends TLS the app sees http; the setting marks cookies Secure anyway
    # (so a browser sends them back over https only).
    monkeypatch.setenv("SHOTLINE_SECURE_COOKIES", "1")
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]
