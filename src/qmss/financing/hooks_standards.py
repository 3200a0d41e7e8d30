"""Hooks of the standards part (registered through :func:`qmss.financing.registration.part`):

- ``registry_service_sections`` – on the registry's page of a service, for the members of its verified provider
  and the network managers of its region (and superusers): pass / fail of both standards and a link;
- ``network_admission_checks`` – ``(service) -> [dict(code, name, passed, message)]`` with codes
  ``personnel_standard`` and ``mts``, shown by the network app's application page as automatic checks. The
  messages name the limits only, never the provider's buildings or rooms.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from qmss.core import hooks
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing import standards_checks as checks
from qmss.financing.registration import part

ADMISSION_CODES = {checks.PERSONNEL: "personnel_standard", checks.MTS: "mts"}


def registry_service_sections(request, scope: Scope, service) -> list[str]:
    if not permissions.can_see_service_standards(scope, service):
        return []
    context = {
        "service": service,
        "summary": checks.check_summary(service),
        "can_edit": permissions.can_edit_service_standards(scope, service),
    }
    return [render_to_string("financing/standards/_registry_section.html", context, request=request)]


def network_admission_checks(service) -> list[dict]:
    result = checks.check_services([service.pk])[service.pk]
    summary = result.summary
    names = {checks.PERSONNEL: _("Personnel standard"), checks.MTS: _("Material-technical standard")}
    answers = []
    for standard in checks.STANDARDS:
        own = [f for f in result.findings if f.standard == standard]
        passed = summary[standard]
        if passed is None:
            message = _("Not recorded by the provider, or no rule for this kind of service.")
        elif passed:
            message = _("Meets: %(rules)s.") % {"rules": "; ".join(f.rule for f in own)}
        else:
            message = _("Does not meet: %(rules)s.") % {"rules": "; ".join(f.rule for f in own if not f.passed)}
        answers.append({"code": ADMISSION_CODES[standard], "name": names[standard], "passed": passed,
                        "message": message})  # fmt: skip
    return answers


@part
def register_standards() -> None:
    hooks.register("registry_service_sections", registry_service_sections)
    hooks.register("network_admission_checks", network_admission_checks)
