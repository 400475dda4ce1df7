"""The people of a workspace and helpers that call the services as they would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from conftest import NOW
from shotline.adapters.intake_files import read_intake_file
from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.review import ItemAnswer
from shotline.services import intake, production, review
from shotline.services.assets import AssetKey, find_asset
from shotline.services.policies import load_active_policy
from shotline.simulation.images import png_bytes
from support import write_csv

CREW = {
    "merch": ["merchandiser"],
    "photo": ["photographer"],
    "retoucher": ["retoucher"],
    "qc": ["qc_lead"],
    "qc2": ["qc_lead"],
    "cd": ["creative_director"],
    "ops": ["creative_ops_manager"],
    "producer": ["producer"],
    "aiop": ["ai_operator"],
    "dam": ["dam_manager"],
}


@dataclass
class Crew:
    """Actors by name, plus small helpers that call the services as those people would."""

    app: App
    people: dict[str, Actor]
    files: Path
    counter: int = 0

    def __getitem__(self, name: str) -> Actor:
        return self.people[name]

    def import_rows(self, rows: list[dict[str, str]], now: dt.datetime = NOW) -> None:
        path = write_csv(self.files / f"intake-{len(rows)}-{now.timestamp()}.csv", rows)
        with self.app.uow() as uow:
            intake.import_intake(uow, self.people["merch"], read_intake_file(path), now)

    def upload(
        self, who: str, key: AssetKey, kind: str = "capture", submit: bool = True,
        now: dt.datetime = NOW, ai_workflow: str | None = None,
    ) -> production.VersionView:  # fmt: skip
        self.counter += 1
        path = self.files / f"{key.sku}_{key.view}_{self.counter}.jpg"
        # A real (tiny) image: uploads are probed and anything else is refused.
        path = path.with_suffix(".png")
        path.write_bytes(png_bytes(f"image {self.counter}"))
        upload = production.Upload(path, kind, ai_workflow=ai_workflow)
        with self.app.uow() as uow:
            return production.upload_version(uow, self.people[who], key, upload, now, submit)

    def decide(
        self, who: str, key: AssetKey, gate: str, fail: dict[str, list[str]] | None = None,
        now: dt.datetime = NOW, override: str | None = None,
    ) -> review.DecisionResult:  # fmt: skip
        with self.app.uow() as uow:
            policy = load_active_policy(uow, self.people[who].workspace_id).policy
        fail = fail or {}
        answers = [
            ItemAnswer(item.code, item.code not in fail, tuple(fail.get(item.code, ())))
            for item in policy.gates[gate].checklist
        ]
        decision = review.Decision(gate, answers, comment="ok" if not fail else "needs work",
                                   override_reason=override)  # fmt: skip
        with self.app.uow() as uow:
            return review.decide_gate(uow, self.people[who], key, decision, now)

    def register_ai(self, ref: str, categories: tuple[str, ...] = ("apparel",)) -> None:
        """Register and approve an AI workflow version (by an ai_workflow_owner), as every AI
        version must cite one."""
        from shotline.domain.ai import parse_spec
        from shotline.services import ai, workspaces

        name, _, version = ref.partition("@")
        if "aiowner" not in self.people:
            with self.app.uow() as uow:
                self.people["aiowner"] = workspaces.add_user(
                    uow, self.people["admin"], "aiowner", ["ai_workflow_owner"], NOW
                )
        spec = parse_spec(
            {
                "name": name,
                "version": int(version),
                "tool": "ComfyUI",
                "model": "sdxl",
                "model_version": "1.0",
                "loras": [],
                "prompt": f"{name} prompt",
                "categories": list(categories),
            }
        )
        with self.app.uow() as uow:
            ai.register_workflow(uow, self.people["aiowner"], spec, NOW)
        with self.app.uow() as uow:
            ai.approve_workflow(uow, self.people["aiowner"], ref, NOW)

    def state(self, key: AssetKey) -> tuple[str, str | None, int]:
        """(state, gate, rework rounds) of an asset."""
        with self.app.uow() as uow:
            asset = find_asset(uow, self.people["admin"], key)
            return asset.state, asset.gate, asset.rework_rounds

    def asset_id(self, key: AssetKey) -> int:
        with self.app.uow() as uow:
            return find_asset(uow, self.people["admin"], key).id
