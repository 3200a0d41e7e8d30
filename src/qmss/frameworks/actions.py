"""Writes of the quality frameworks (the libraries themselves are loaded by :mod:`qmss.frameworks.library`).

``adopt_rule_set`` records that a superuser adopted the pass rule and essential flags of one framework version
although they are not (all) confirmed by a source; from then on the rule gives pass/fail verdicts, shown with
"rule adopted by <who> on <when>". Recorded in the audit log with the acting user.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qmss.core.audit import action
from qmss.core.scoping import Scope
from qmss.frameworks import pass_rules
from qmss.frameworks.error_codes import FrameworkErrorCode as Code
from qmss.frameworks.models import Framework, RuleSetAdoption

__all__ = ["adopt_rule_set", "can_adopt_rule_set"]

NOTE_MAX_LENGTH = 2000


def can_adopt_rule_set(scope: Scope) -> bool:
    """Only a superuser adopts a rule set (a national decision, not an organisation's)."""
    return scope.is_authenticated and scope.is_superuser


@action
def adopt_rule_set(*, scope: Scope, user, framework: Framework, note: str = "") -> RuleSetAdoption:
    if not can_adopt_rule_set(scope) or user is None or user.pk != scope.user_id:
        raise PermissionDenied
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    status = pass_rules.rule_status(framework)
    if not status.has_rule:
        raise ValidationError(_("This framework has no pass rule to adopt."), code=Code.NO_PASS_RULE.value)
    if status.verified:
        raise ValidationError(
            _("The pass rule of this framework is verified; it needs no adoption."), code=Code.RULE_VERIFIED.value
        )
    if status.adoption is not None:
        raise ValidationError(
            _("The rule set of this framework version has already been adopted."), code=Code.ALREADY_ADOPTED.value
        )
    note = " ".join(note.split())[:NOTE_MAX_LENGTH]
    adoption = RuleSetAdoption.objects.create(framework=framework, adopted_by=user, note=note)
    pass_rules.forget_status(framework)
    return adoption
