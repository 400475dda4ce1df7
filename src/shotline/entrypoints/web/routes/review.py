"""Review mode: work through the assets waiting at one gate (or on one track) one at a time,
from the keyboard (static/js/review.js): next, back, pass, fail with a defect, zoom.

The page is the asset page's viewer and checklist around the queue's head. Skipped assets
travel in the URL (`?skip=3,8`), so the mode keeps no state on the server and every step
is a plain link or form that also works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from shotline.domain.access import Actor
from shotline.domain.errors import ShotlineError
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page, redirect
from shotline.entrypoints.web.routes.asset import (
    FormDep,
    FormProblem,
    answers_echo,
    asset_context,
    decide_from_form,
    outcome_message,
)
from shotline.entrypoints.web.session import CsrfDep, WebUserDep
from shotline.services.asset_page import asset_detail, visible_asset
from shotline.services.policies import load_active_policy
from shotline.services.review_queue import review_queue
from shotline.services.unit_of_work import UnitOfWork

router = APIRouter(include_in_schema=False)
_MAX_SKIPS = 200


@router.get("/review")
def review_index(request: Request, uow: UowDep, user: WebUserDep) -> Response:
    """The gates this reviewer decides and the tracks, each with how many wait."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    gates = [
        (name, spec.label, review_queue(uow, user.actor, name, limit=1).total)
        for name, spec in policy.gates.items()
        if user.actor.roles & set(spec.decided_by)
    ]
    tracks = [
        (name, spec.label, review_queue(uow, user.actor, name, limit=1).total)
        for name, spec in policy.tracks.items()
    ]
    return page(request, "review_index.html", gates=gates, tracks=tracks if gates else [])


@router.get("/review/{name}")
def review_mode(
    request: Request, uow: UowDep, user: WebUserDep, name: str, skip: str = ""
) -> Response:
    """The next asset of the queue (after the skipped ones) with its viewer and checklist."""
    return _render(request, uow, user.actor, name, parse_skip(skip))


def _render(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    skipped: list[int],
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    answers: dict[str, Any] | None = None,
) -> Response:
    queue = review_queue(uow, actor, name, skip=skipped, limit=2)
    head = queue.items[0] if queue.items else None
    context: dict[str, Any] = {"asset": None, "shown": None, "compare_sources": []}
    if head is not None:
        context = asset_context(asset_detail(uow, actor, head.asset_id, with_history=False))
    skip_text = ",".join(map(str, skipped))
    return page(
        request,
        "review.html",
        status_code=status_code,
        **context,
        queue=queue,
        review_name=name,
        skip_text=skip_text,
        next_url=_url(name, [*skipped, head.asset_id]) if head else None,
        back_url=_url(name, skipped[:-1]) if skipped else None,
        restart_url=_url(name, []),
        decision_action=f"/review/{name}/decision" + (f"?skip={skip_text}" if skipped else ""),
        errors=errors or {},
        answers=answers or {},
    )


@router.post("/review/{name}/decision", dependencies=[CsrfDep])
def review_decide(
    request: Request,
    uow: UowDep,
    now: NowDep,
    user: WebUserDep,
    form: FormDep,
    name: str,
    skip: str = "",
) -> Response:
    """Decide the head asset's gate, then go on to the next asset of the queue."""
    skipped = parse_skip(skip)
    try:
        asset_id = _asset_id(form.get("asset_id"))
        asset = visible_asset(uow, user.actor, asset_id)
        label = f"{asset.sku} / {asset.colorway} / {asset.view}"
        gate, result = decide_from_form(uow, user.actor, asset, form, now)
    except ShotlineError as exc:
        uow.session.rollback()
        from shotline.entrypoints.api.errors import status_for

        return _render(
            request,
            uow,
            user.actor,
            name,
            skipped,
            status_code=status_for(exc),
            errors={"decision": str(exc)},
            answers=answers_echo(form),
        )
    message = f"{label}: {outcome_message(gate, result)}"
    return redirect(request, _url(name, skipped), message)


def parse_skip(text: str) -> list[int]:
    """Asset ids from `3,8,12`; anything else is a bad link, refused with the reason."""
    ids: list[int] = []
    for part in text.split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise FormProblem(f"skip must list asset ids, got {part.strip()!r}")
            ids.append(int(part))
    return ids[-_MAX_SKIPS:]


def _asset_id(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise FormProblem("the form does not say which asset it decides")


def _url(name: str, skipped: list[int]) -> str:
    return f"/review/{name}" + (f"?skip={','.join(map(str, skipped))}" if skipped else "")
