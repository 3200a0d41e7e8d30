"""Network API, scoring part: the scores of a network's candidates (the current version's entries and the open
applications), ranked within kind, with the four sub-scores and the gaps per ORP.

Scores are the manager's working material: only the members of the managing organisation and superusers see them
(``permissions.can_see_work``); anybody else gets 403 (anonymous visitors too). The network itself is public, so
a 404 means only that no such network exists."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from qmss.core.scoping import get_scope
from qmss.network import permissions
from qmss.network import selectors_networks as network_selectors

router = Router(tags=["network"])

CRITERIA = ("quality", "availability", "need", "cost")


class SubScoresOut(Schema):
    quality: float | None = None
    availability: float | None = None
    need: float | None = None
    cost: float | None = None


class CandidateOut(Schema):
    key: str = Field(description="e<entry id>: an entry of the current version; a<application id>: an application")
    candidate: str = Field(description="entry / application")
    id: int
    portal_id: int | None = Field(None, description="The service's id in the registry portal")
    service: str
    provider: str
    kind: str = Field(description="Service kind code")
    capacity: float | None = None
    unit: str
    total: float | None = Field(None, description="Weighted total, 0–100")
    scores: SubScoresOut = Field(description="Sub-scores 0–100")
    no_data: list[str] = Field(description="Criteria and parts scored without data (the rules' missing score)")
    rank_in_kind: int | None = Field(None, description="1 = best within the kind")
    passes: bool = Field(description="Meets the thresholds (minimum quality and minimum total)")


class GapOut(Schema):
    orp: int | None = Field(None, description="RÚIAN code of the ORP")
    orp_name: str | None = None
    kind: str
    gap: float = Field(description="Demand not covered by the candidates, in the kind's unit")


class ScoresOut(Schema):
    network_id: int
    manager: str = Field(description="The network manager (the organisation whose members see the scores)")
    version: int | None = Field(None, description="The network version scored")
    rule_set_version: int
    parameter_set_version: int
    kind: str | None = Field(None, description="The kind filter, when given")
    candidates: list[CandidateOut]
    gaps: list[GapOut]


class ScoresQuery(Schema):
    kind: str | None = Field(None, max_length=10, description="Only candidates of this service kind code, e.g. 13")


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 2)


def _candidates(network, version, keys) -> dict[str, dict]:
    """What the API says about each candidate (entries of the version and the network's applications)."""
    from qmss.network.models import Application

    entry_ids = [int(k[1:]) for k in keys if k.startswith("e")]
    application_ids = [int(k[1:]) for k in keys if k.startswith("a")]
    found: dict[str, dict] = {}
    for entry in network_selectors.version_entries(version).filter(pk__in=entry_ids):
        found[f"e{entry.pk}"] = {
            "candidate": "entry",
            "id": entry.pk,
            "portal_id": entry.service.portal_id,
            "service": entry.service.name,
            "provider": entry.service.provider.name,
            "capacity": _number(entry.capacity),
            "unit": entry.unit,
        }
    applications = Application.objects.filter(network=network, pk__in=application_ids).select_related(
        "service__provider", "organisation"
    )
    for application in applications:
        found[f"a{application.pk}"] = {
            "candidate": "application",
            "id": application.pk,
            "portal_id": application.service.portal_id,
            "service": application.service.name,
            "provider": application.service.provider.name,
            "capacity": _number(application.capacity),
            "unit": application.unit,
        }
    return found


def _gaps(table, kind: str | None) -> list[dict]:
    from qmss.territory.models import Orp

    rows = [(orp_id, code, gap) for (orp_id, code), gap in (table.gaps or {}).items() if not kind or code == kind]
    orps = {o.pk: o for o in Orp.objects.filter(pk__in={r[0] for r in rows if r[0] is not None})}
    out = []
    for orp_id, code, gap in rows:
        orp = orps.get(orp_id)
        out.append(
            {
                "orp": orp.ruian_code if orp else None,
                "orp_name": orp.name if orp else None,
                "kind": str(code),
                "gap": _number(gap) or 0.0,
            }
        )
    out.sort(key=lambda row: (row["kind"], row["orp"] or 0))
    return out


def scores_of(network, *, kind: str | None = None) -> dict:
    """The network's score table as the API shows it (the caller checked ``can_see_work``)."""
    from qmss.network import scoring_engine, scoring_inputs, selectors_rules

    rule_set = selectors_rules.current_rule_set(network)
    parameter_set = selectors_rules.current_parameters(network)
    if rule_set is None or parameter_set is None:
        raise HttpError(404, _("The network has no published rules or no parameters in force."))
    inputs = scoring_inputs.cached_inputs(network)
    table = scoring_engine.score(
        inputs,
        rules=selectors_rules.rule_values(rule_set),
        demand=selectors_rules.demand_values(parameter_set),
    )
    version = network_selectors.current_version(network)
    keys = [str(k) for k in table.keys]
    info = _candidates(network, version, keys)
    candidates = []
    for i, key in enumerate(keys):
        code = str(table.kind_codes[i])
        if (kind and code != kind) or key not in info:
            continue
        rank = table.rank_in_kind[i]
        candidates.append(
            {
                "key": key,
                **info[key],
                "kind": code,
                "total": _number(table.total[i]),
                "scores": {name: _number(table.sub[name][i]) for name in CRITERIA if name in table.sub},
                "no_data": sorted(name for name, flags in (table.no_data or {}).items() if bool(flags[i])),
                "rank_in_kind": None if rank is None or int(rank) <= 0 else int(rank),
                "passes": bool(table.passes[i]),
            }
        )
    candidates.sort(key=lambda c: (c["kind"], c["rank_in_kind"] or 10**9, c["key"]))
    return {
        "network_id": network.pk,
        "manager": network.organisation.name,
        "version": version.number if version else None,
        "rule_set_version": rule_set.version,
        "parameter_set_version": parameter_set.version,
        "kind": kind or None,
        "candidates": candidates,
        "gaps": _gaps(table, kind),
    }


@router.get(
    "networks/{network_pk}/scores",
    response=ScoresOut,
    summary="Scores of a network's entries and open applications (the network manager's members only)",
)
def network_scores(request, network_pk: int, query: Query[ScoresQuery]):
    network = network_selectors.get_network(network_pk)
    if network is None:
        raise HttpError(404, _("No such network."))
    if not permissions.can_see_work(get_scope(request), network):
        raise HttpError(403, _("Only the network manager sees the scores."))
    return scores_of(network, kind=(query.kind or "").strip() or None)
