"""Outliers of a round: robust z-score (median, MAD) within peers of the same kind and delivery form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qmss.core.roles import OrganisationKind
from qmss.needs import outliers as out
from qmss.needs.models import Submission
from qmss.needs.testing_dashboard import add_submissions, make_closed_round, make_services, simple_values

pytestmark = pytest.mark.django_db


def test_robust_scores_by_hand():
    values = [Decimal(v) for v in (10, 11, 12, 13, 14, 100)]
    mid, mad, scores = out.robust_scores(values)
    assert mid == Decimal("12.5")
    # deviations 2.5 1.5 0.5 0.5 1.5 87.5 → MAD = 1.5
    assert mad == Decimal("1.5")
    assert scores[-1] == pytest.approx(Decimal("0.6745") * Decimal("87.5") / Decimal("1.5"))
    assert abs(scores[0]) < 3.5


def test_mad_zero_falls_back_to_mean_absolute_deviation():
    values = [Decimal(v) for v in (10, 10, 10, 10, 1000)]
    mid, mad, scores = out.robust_scores(values)
    assert (mid, mad) == (Decimal(10), Decimal(0))
    # MeanAD = 990 / 5 = 198; z = 990 / (1.253314 · 198) ≈ 3.99
    assert scores[-1] == pytest.approx(Decimal(990) / (Decimal("1.253314") * 198))
    assert scores[0] == 0


def test_all_equal_values_have_no_score():
    _mid, _mad, scores = out.robust_scores([Decimal(7)] * 6)
    assert scores == [None] * 6


def _round(tenant, users_by_group):
    region_org = tenant.orgs[OrganisationKind.REGION]
    round_ = make_closed_round(region_org, year=2024)
    values = {}
    for (kind, form), users in users_by_group.items():
        for service, u in zip(make_services(tenant.region, len(users), kind=kind, form=form), users, strict=True):
            values[service] = simple_values(u)
    add_submissions(round_, values)
    return round_


def test_planted_extreme_value_is_flagged(tenant_a):
    round_ = _round(tenant_a, {("13", "pob"): [40, 42, 41, 43, 39, 44, 400]})
    found = out.outliers(round=round_, element_code="users")
    assert len(found) == 1
    outlier = found[0]
    assert outlier.value == 400
    assert outlier.median == 42
    assert outlier.score > Decimal("3.5")
    assert outlier.peers == sorted(Decimal(v) for v in (40, 42, 41, 43, 39, 44, 400))
    assert outlier.direction == "high"
    assert Submission.objects.get(pk=outlier.submission_id).service == outlier.service


def test_group_of_four_is_not_evaluated(tenant_a):
    round_ = _round(tenant_a, {("13", "pob"): [40, 41, 42, 4000]})
    assert out.outliers(round=round_, element_code="users") == []


def test_peers_are_same_kind_and_form_only(tenant_a):
    # five residential homes of kind 13 (one extreme) and five outpatient services of kind 4 with large values:
    # pooled together the large values would hide the extreme one.
    round_ = _round(tenant_a, {("13", "pob"): [40, 41, 42, 43, 300], ("4", "amb"): [290, 300, 310, 305, 295]})
    found = out.outliers(round=round_, element_code="users")
    assert [o.value for o in found] == [300]
    assert found[0].service.kind.code == "13"
    assert len(found[0].peers) == 5


def test_total_is_sum_of_categories_and_category_filter(tenant_a):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_ = make_closed_round(region_org, year=2024)
    services = make_services(tenant_a.region, 6)
    fte = ["2", "2.5", "3", "2", "2.2", "30"]
    add_submissions(
        round_,
        {
            s: {("fte", "care_worker"): Decimal(f), ("fte", "social_worker"): Decimal(1)}
            for s, f in zip(services, fte, strict=True)
        },
    )
    by_total = out.outliers(round=round_, element_code="fte")
    assert [o.value for o in by_total] == [Decimal(31)]
    by_category = out.outliers(round=round_, element_code="fte", category="care_worker")
    assert [o.value for o in by_category] == [Decimal(30)]
    assert out.outliers(round=round_, element_code="fte", category="social_worker") == []


def test_drafts_are_not_peers(tenant_a):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_ = make_closed_round(region_org, year=2024)
    services = make_services(tenant_a.region, 7)
    add_submissions(round_, {s: simple_values(u) for s, u in zip(services[:4], (40, 41, 42, 400), strict=True)})
    add_submissions(round_, {s: simple_values(41) for s in services[4:]}, state=Submission.State.DRAFT)
    assert out.outliers(round=round_, element_code="users") == []  # 4 counted peers: not evaluated


def test_peers_by_facts_at_opening_else_registry(tenant_a):
    """A service whose kind changed in the registry after opening stays among the peers it was opened with; a
    submission without facts takes its kind and forms from the registry."""
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_ = make_closed_round(region_org, year=2024)
    services = make_services(tenant_a.region, 6)
    submissions = add_submissions(
        round_, {s: simple_values(u) for s, u in zip(services, (40, 41, 42, 43, 44, 400), strict=True)}
    )
    from qmss.registry.testing import make_kind

    services[5].kind = make_kind("4")
    services[5].save()
    assert [o.value for o in out.outliers(round=round_, element_code="users")] == [400]
    Submission.objects.filter(pk=submissions[5].pk).update(registry_facts={})
    assert out.outliers(round=round_, element_code="users") == []  # now a kind-4 service: a group of 5 without it
