"""Scoring against the pass rules stored in the libraries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qmss.assessments.testing import adopt_test_rules
from qmss.frameworks.models import Framework, Requirement, ScaleValue
from qmss.frameworks.pass_rules import rule_status
from qmss.frameworks.scoring import applicable_requirements, describe_pass_rule, evaluate
from qmss.frameworks.selectors import framework_tree


@pytest.fixture(autouse=True)
def _adopted(request):
    """The shipped rules are unverified: these tests of the rules' arithmetic adopt them first."""
    for name in ("sqss", "voluntary"):
        if name in request.fixturenames:
            adopt_test_rules(request.getfixturevalue(name))


def _values(framework: Framework, scale_key: str) -> dict[str, ScaleValue]:
    return {v.key: v for v in ScaleValue.objects.filter(scale__framework=framework, scale__key=scale_key)}


def _criteria(framework: Framework) -> dict[str, int]:
    return dict(Requirement.objects.filter(framework=framework, assessable=True).values_list("ref_id", "pk"))


def _all(framework: Framework, value: ScaleValue, **overrides: ScaleValue | None) -> dict[int, ScaleValue | None]:
    ids = _criteria(framework)
    results = dict.fromkeys(ids.values(), value)
    for ref_id, override in overrides.items():
        results[ids[ref_id.replace("_", ".")]] = override
    return results


@pytest.mark.django_db
def test_sqss_pass(sqss):
    points = _values(sqss, "points")
    evaluation = evaluate(sqss, _all(sqss, points["3"]))
    assert evaluation.passed is True
    assert evaluation.total == 144 and evaluation.max_total == 144 and evaluation.share == 1
    assert len(evaluation.standards) == 15
    assert [s.requirement.ref_id for s in evaluation.standards][:3] == ["1", "2", "3"]
    assert evaluation.standards[0].max_score == 12 and len(evaluation.standards[0].criteria) == 4
    assert evaluation.missing == [] and evaluation.failed_essential == []
    assert evaluation.rule_label == "historický způsob hodnocení – k ověření"


@pytest.mark.django_db
def test_sqss_fails_on_an_essential_criterion(sqss):
    points = _values(sqss, "points")
    evaluation = evaluate(sqss, _all(sqss, points["3"], **{"1a": points["1"], "1d": points["0"]}))
    assert evaluation.passed is False
    assert evaluation.failed_essential == ["1a"]  # 1d is not essential
    assert evaluation.standards[0].failed_essential == ["1a"]
    first = evaluation.standards[0].criteria[0]
    assert first.ref_id == "1a" and first.failed_essential and first.score == 1 and first.value_key == "1"
    assert evaluation.total == 144 - 2 - 3


@pytest.mark.django_db
def test_sqss_fails_on_the_overall_share(sqss):
    points = _values(sqss, "points")
    ids = _criteria(sqss)
    essential = set(Requirement.objects.filter(framework=sqss, essential=True).values_list("pk", flat=True))
    results = {pk: points["2"] if pk in essential else points["0"] for pk in ids.values()}
    evaluation = evaluate(sqss, results)
    assert evaluation.failed_essential == []
    assert evaluation.total == 17 * 2 and evaluation.share < Decimal("0.5")
    assert evaluation.passed is False


@pytest.mark.django_db
def test_incomplete_assessment_has_no_verdict(sqss):
    points = _values(sqss, "points")
    evaluation = evaluate(sqss, _all(sqss, points["3"], **{"15d": None}))
    assert evaluation.passed is None
    assert evaluation.missing == ["15d"]
    results = _all(sqss, points["3"])
    del results[_criteria(sqss)["2c"]]
    assert evaluate(sqss, results).missing == ["2c"]


@pytest.mark.django_db
def test_not_applicable_is_left_out_of_the_maximum(sqss):
    fulfilment = _values(sqss, "fulfilment")
    evaluation = evaluate(sqss, _all(sqss, fulfilment["fulfilled"], **{"6b": fulfilment["na"], "9d": fulfilment["na"]}))
    assert evaluation.max_total == 46 * 3 and evaluation.total == 46 * 3
    assert evaluation.passed is True and evaluation.missing == []
    na = next(c for s in evaluation.standards for c in s.criteria if c.ref_id == "6b")
    assert na.score is None and na.max_score == 0 and na.value_key == "na"
    partly = evaluate(sqss, _all(sqss, fulfilment["fulfilled"], **{"1a": fulfilment["partly"]}))
    assert partly.failed_essential == ["1a"]  # 1.5 < 2 points


@pytest.mark.django_db
def test_criteria_outside_applicable_are_ignored(sqss):
    points = _values(sqss, "points")
    ids = _criteria(sqss)
    applicable = {ids["1a"], ids["1b"]}
    evaluation = evaluate(sqss, {ids["1a"]: points["3"], ids["1b"]: points["2"]}, applicable=applicable)
    assert evaluation.missing == [] and evaluation.max_total == 6 and evaluation.total == 5
    assert evaluation.passed is True and len(evaluation.standards) == 1


@pytest.mark.django_db
def test_min_average(voluntary):
    maturity = _values(voluntary, "maturity")
    assert evaluate(voluntary, _all(voluntary, maturity["2"])).passed is True
    low = evaluate(voluntary, _all(voluntary, maturity["2"], R1_1=maturity["0"]))
    assert low.passed is False and low.average < 2
    high = evaluate(voluntary, _all(voluntary, maturity["1"], R1_1=maturity["4"], R1_2=maturity["4"]))
    assert high.average == (Decimal(41) / 35).quantize(Decimal("0.0001")) and high.passed is False
    mixed = evaluate(voluntary, _all(voluntary, maturity["2"], H2_4=maturity["na"]))
    assert mixed.passed is True and mixed.average == 2
    assert evaluate(voluntary, _all(voluntary, maturity["4"], R1_1=None)).passed is None
    assert [s.requirement.kind for s in mixed.standards] == ["area"] * 11


@pytest.mark.django_db
def test_applicability_by_form(voluntary):
    h24 = Requirement.objects.get(framework=voluntary, ref_id="H2.4").pk
    residential = applicable_requirements(voluntary, kind_code="1", form_codes=["pob"])
    outpatient = applicable_requirements(voluntary, kind_code="1", form_codes=["amb", "ter"])
    assert h24 in residential and h24 not in outpatient
    assert len(residential) == Requirement.objects.filter(framework=voluntary).count()
    assert len(outpatient) == len(residential) - 1
    maturity = _values(voluntary, "maturity")
    results = _all(voluntary, maturity["3"])
    del results[h24]
    evaluation = evaluate(voluntary, results, applicable=outpatient)
    assert evaluation.missing == [] and evaluation.passed is True


@pytest.mark.django_db
def test_evaluate_makes_no_queries_once_the_tree_is_cached(sqss):
    points = _values(sqss, "points")
    results = _all(sqss, points["3"])
    framework_tree(sqss)
    rule_status(sqss)  # at most one query, remembered on the instance
    with CaptureQueriesContext(connection) as ctx:
        evaluate(sqss, results)
        applicable_requirements(sqss, kind_code="1", form_codes=["pob"])
        describe_pass_rule(sqss)
    assert len(ctx.captured_queries) == 0


@pytest.mark.django_db
def test_framework_tree_query_budget(sqss):
    with CaptureQueriesContext(connection) as ctx:
        tree = framework_tree(sqss)
    assert len(ctx.captured_queries) <= 4
    assert len(tree.assessable()) == 48 and tree.default_scale.key == "points"
    assert tree.scale_of(tree.assessable()[0]).key == "points"


@pytest.mark.django_db
def test_describe_pass_rule(sqss, voluntary):
    assert "2" in describe_pass_rule(sqss) and "50" in describe_pass_rule(sqss)
    assert "2" in describe_pass_rule(voluntary)
