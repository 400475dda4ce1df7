"""A bug must not show a user a traceback: one line, and the details in a log file."""

from __future__ import annotations

import pytest

from shotline.services import requests


def test_an_unexpected_error_is_one_line_and_logged(ready, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk gremlins")

    monkeypatch.setattr(requests, "list_requests", broken)
    err = ready.fail(70, "requests", "list")
    log = ready.home / "logs" / "errors.log"
    assert err == f"internal error: RuntimeError: disk gremlins; details in {log}\n"
    assert "Traceback" in log.read_text() and "disk gremlins" in log.read_text()
