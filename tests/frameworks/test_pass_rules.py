"""The one registry of pass rules: validation, verdicts, descriptions, the essential minimum and the rule status,
and a guard that nothing else interprets ``Framework.pass_rule``."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from qmss.frameworks import pass_rules
from qmss.frameworks.models import Framework, Requirement
from qmss.frameworks.pass_rules import Facts, RuleError

MAXIMA = {"points": Decimal(3)}
RULE = {"type": "essential_min_and_share", "scale": "points", "essential_min": 2, "overall_min_share": 0.5}


def test_each_rule_kind_is_registered_once_with_all_four_parts():
    kinds = pass_rules.kinds()
    assert set(kinds) == {"essential_min_and_share", "min_average"}
    for kind in kinds.values():
        assert callable(kind.verdict) and callable(kind.describe) and callable(kind.essential_minimum)
    with pytest.raises(ValueError):
        pass_rules.register(pass_rules.RuleKind("min_average", {}, kinds["min_average"].verdict, str))


def test_validate_keeps_parameters_and_provenance():
    assert pass_rules.validate(dict(RULE), MAXIMA) == {**RULE, "verified": False}
    verified = pass_rules.validate({**RULE, "verified": True, "source": " vyhláška "}, MAXIMA)
    assert verified["verified"] is True and verified["source"] == "vyhláška"


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ({**RULE, "type": "all_green"}, "type"),
        ({**RULE, "scale": "body"}, "scale"),
        ({**RULE, "essential_min": 4}, "essential_min"),
        ({**RULE, "overall_min_share": 1.5}, "overall_min_share"),
        ({**RULE, "essential_min": "dva"}, "essential_min"),
        ({**RULE, "colour": "blue"}, "colour"),
        ({**RULE, "verified": True}, "source"),  # a verified rule names its source
        ({**RULE, "verified": "yes"}, "verified"),
        ({"type": "min_average", "scale": "points"}, "min_average"),
    ],
)
def test_validate_refuses(rule, key):
    with pytest.raises(RuleError) as caught:
        pass_rules.validate(rule, MAXIMA)
    assert caught.value.key == key


def test_verdicts_and_essential_minimum():
    framework = Framework(pass_rule=dict(RULE))
    complete = Facts(True, [Decimal(2)] * 4, Decimal(8), Decimal(12), Decimal(2))
    assert pass_rules.verdict(framework, complete) is True
    assert pass_rules.verdict(framework, Facts(True, [Decimal(1)], Decimal(5), Decimal(12), Decimal(1))) is False
    assert pass_rules.verdict(framework, Facts(True, [Decimal(3)], Decimal(12), Decimal(12), None, ["1a"])) is False
    assert pass_rules.verdict(framework, Facts(False, [Decimal(3)], Decimal(12), Decimal(12), Decimal(3))) is None
    # A failed essential criterion settles the verdict even while other results are missing.
    incomplete_failed = Facts(False, [Decimal(0)], Decimal(0), Decimal(12), Decimal(0), ["1b"])
    assert pass_rules.verdict(framework, incomplete_failed) is False
    assert pass_rules.essential_minimum(framework) == 2
    average = Framework(pass_rule={"type": "min_average", "scale": "points", "min_average": 2})
    assert pass_rules.verdict(average, complete) is True and pass_rules.essential_minimum(average) is None
    assert pass_rules.verdict(Framework(pass_rule={}), complete) is None
    assert pass_rules.essential_minimum(Framework(pass_rule={})) is None


@pytest.mark.django_db
def test_shipped_rules_are_unverified_and_not_in_force(sqss, voluntary):
    for framework in (sqss, voluntary):
        status = pass_rules.rule_status(framework)
        assert status.has_rule and status.unverified and not status.in_force and status.adoption is None
    assert "2" in pass_rules.describe(sqss) and "50" in pass_rules.describe(sqss)


@pytest.mark.django_db
def test_a_verified_rule_needs_every_essential_flag_verified(sqss):
    Framework.objects.filter(pk=sqss.pk).update(pass_rule={**sqss.pass_rule, "verified": True, "source": "x"})
    framework = Framework.objects.get(pk=sqss.pk)
    assert not pass_rules.rule_status(framework).verified  # 13 essential flags are unverified
    Requirement.objects.filter(framework=sqss, essential=True).update(verified=True)
    from qmss.frameworks.selectors import clear_tree_cache

    clear_tree_cache()
    framework = Framework.objects.get(pk=sqss.pk)
    assert pass_rules.rule_status(framework).verified and pass_rules.rule_status(framework).in_force


# ----------------------------------------------------------------------------------- one interpretation

SRC = Path(pass_rules.__file__).resolve().parents[1]
RULE_WORDS = re.compile(r"""["'](essential_min|overall_min_share|min_average|essential_min_and_share)["']""")
RULE_READS = re.compile(r"""pass_rule(\s+or\s+\{\}\))?\s*(\.get\(|\[)\s*["'](?!label["'])""")


def test_pass_rules_are_interpreted_only_by_the_registry():
    """Rule kinds, their parameters and the "essential minimum" are named only in qmss/frameworks/pass_rules.py
    (test builders may write a rule as data); nothing else reads a rule's parameters."""
    offenders = []
    for path in SRC.rglob("*.py"):
        relative = str(path.relative_to(SRC))
        if relative in ("frameworks/pass_rules.py", "assessments/testing.py") or "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (RULE_WORDS, RULE_READS):
            offenders += [f"{relative}: {match.group(0)}" for match in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.parametrize(
    "module", ["frameworks/scoring.py", "assessments/readiness.py", "assessments/lenses.py", "improvement/actions.py"]
)
def test_consumers_ask_the_registry(module):
    text = (SRC / module).read_text(encoding="utf-8")
    assert "pass_rules.essential_minimum(" in text
