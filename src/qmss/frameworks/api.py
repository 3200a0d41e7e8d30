"""Quality frameworks API: the list of framework versions and one version with its requirement tree, scales and
pass rule. Requires a logged-in user (session); anonymous requests get 403."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from qmss.frameworks import selectors
from qmss.frameworks.models import Requirement
from qmss.frameworks.scoring import describe_pass_rule


def logged_in(request):
    """Ninja auth callback: the session user, or 403 (anonymous visitors see nothing)."""
    if request.user.is_authenticated:
        return request.user
    raise HttpError(403, _("Log in to use this part of the API."))


router = Router(tags=["frameworks"], auth=logged_in)


class FrameworkOut(Schema):
    id: int
    urn: str = Field(description="Stable identifier of the framework, e.g. urn:qmss:framework:sqss")
    version: int
    locale: str
    short_name: str
    title: str
    valid_from: date | None = None
    valid_to: date | None = None
    is_latest: bool
    checksum: str = Field(description="SHA-256 of the library content this version was loaded from")
    loaded_at: datetime
    unit_count: int = Field(description="Standards or areas")
    criterion_count: int
    essential_count: int
    assessment_count: int = Field(description="Assessments made against this version")


class ScaleValueOut(Schema):
    id: int
    key: str
    label: str
    score: float | None = Field(None, description="None = not applicable: the criterion does not count")


class ScaleOut(Schema):
    id: int
    key: str
    name: str
    description: str
    max_score: float
    values: list[ScaleValueOut]


class RequirementOut(Schema):
    id: int
    ref_id: str
    kind: str = Field(description="group / standard / area / criterion")
    title: str
    description: str
    guidance: str
    typical_evidence: list[str]
    essential: bool
    verified: bool = Field(description="False: lettering, text or flags are a reconstruction, not yet confirmed")
    assessable: bool
    applicability: dict[str, list[str]] = Field(description='{"kinds": [...], "forms": [...]}; empty = all')
    scale: str | None = Field(None, description="Key of a scale overriding the default scale")
    children: list[RequirementOut] = []


RequirementOut.model_rebuild()


class PassRuleOut(Schema):
    rule: dict[str, Any] = Field(description="The rule as data: type, scale and parameters, label")
    text: str = Field(description="The rule in plain words")


class FrameworkDetailOut(FrameworkOut):
    description: str
    source: str
    default_scale: str | None
    pass_rule: PassRuleOut
    scales: list[ScaleOut]
    requirements: list[RequirementOut]


@router.get("", response=list[FrameworkOut], summary="Quality frameworks (all versions)")
def list_frameworks(request):
    return list(selectors.framework_list())


def _requirement(tree: selectors.FrameworkTree, req: Requirement, scale_keys: dict[int, str]) -> dict[str, Any]:
    return {
        "id": req.pk,
        "ref_id": req.ref_id,
        "kind": req.kind,
        "title": req.title,
        "description": req.description,
        "guidance": req.guidance,
        "typical_evidence": req.typical_evidence,
        "essential": req.essential,
        "verified": req.verified,
        "assessable": req.assessable,
        "applicability": req.applicability,
        "scale": scale_keys.get(req.scale_id) if req.scale_id else None,
        "children": [_requirement(tree, child, scale_keys) for child in tree.children.get(req.pk, [])],
    }


@router.get("{int:framework_pk}", response=FrameworkDetailOut, summary="One framework version with its tree")
def get_framework(request, framework_pk: int):
    framework = get_object_or_404(selectors.framework_list(), pk=framework_pk)
    tree = selectors.framework_tree(framework)
    scale_keys = {pk: scale.key for pk, scale in tree.scales.items()}
    data = FrameworkOut.model_validate(framework).model_dump()
    data.update(
        description=framework.description,
        source=framework.source,
        default_scale=scale_keys.get(framework.default_scale_id),
        pass_rule={"rule": framework.pass_rule or {}, "text": describe_pass_rule(framework)},
        scales=[
            {
                "id": scale.pk,
                "key": scale.key,
                "name": scale.name,
                "description": scale.description,
                "max_score": scale.max_score,
                "values": [
                    {"id": v.pk, "key": v.key, "label": v.label, "score": v.score} for v in tree.values[scale.pk]
                ],
            }
            for scale in tree.scales.values()
        ],
        requirements=[_requirement(tree, root, scale_keys) for root in tree.children.get(None, [])],
    )
    return data
