"""Registrations of the rules part: the last guard of the versioning rule – a published or used rule set and
any saved parameter set never change their values (a change is a new version), whoever saves them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.utils.translation import gettext as _

from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.registration import part

RULE_SET_VALUES = (
    "criteria",
    "thresholds",
    "admission_tests",
    "reference_costs",
    "parameters",
    "network_id",
    "version",
)
PARAMETER_SET_VALUES = ("values", "network_id", "version", "round_id", "source")


def _changed(instance, stored, fields: tuple[str, ...]) -> bool:
    return any(getattr(instance, name) != getattr(stored, name) for name in fields)


def guard_rule_set(sender, instance, raw=False, **kwargs) -> None:
    """Refuse changed values of a rule set that is published or used by a decision."""
    if raw or instance.pk is None:
        return
    from qmss.network.selectors_rules import is_used_rule_set

    stored = sender.objects.filter(pk=instance.pk).first()
    if stored is None or not _changed(instance, stored, RULE_SET_VALUES):
        return
    if stored.published_at is not None or is_used_rule_set(stored):
        raise ValidationError(
            _(
                "Version {version} of the rules is published or used by a decision and cannot be changed; "
                "create a new version."
            ).format(version=stored.version),
            code=Code.USED_VERSION.value,
        )


def guard_parameter_set(sender, instance, raw=False, **kwargs) -> None:
    """Refuse changed values of a saved parameter set (its state may change, its values never)."""
    if raw or instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).first()
    if stored is not None and _changed(instance, stored, PARAMETER_SET_VALUES):
        raise ValidationError(
            _("Version {version} of the demand parameters cannot be changed; create a new version.").format(
                version=stored.version
            ),
            code=Code.USED_VERSION.value,
        )


@part
def register_rules() -> None:
    from qmss.network.models import ParameterSet, RuleSet

    pre_save.connect(guard_rule_set, sender=RuleSet, dispatch_uid="network_rules_guard_rule_set")
    pre_save.connect(guard_parameter_set, sender=ParameterSet, dispatch_uid="network_rules_guard_parameter_set")
