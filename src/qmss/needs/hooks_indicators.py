"""Hooks of the indicator part: the registry's service page shows the service's indicator values of its latest
approved data-collection report – only to the members of its verified provider and the staff of its region."""

from __future__ import annotations

from django.template.loader import render_to_string

from qmss.core import hooks
from qmss.needs.models import Submission
from qmss.needs.registration import part


def registry_service_sections(request, scope, service) -> list[str]:
    from qmss.needs import selectors_indicators as selectors

    if not scope.is_authenticated or not selectors.may_see_service_values(scope, service):
        return []
    approved = [r for r in selectors.service_rounds(scope, service) if r.submission.state == Submission.State.APPROVED]
    if not approved:
        return []
    context = {"service": service, "latest": approved[0]}
    return [render_to_string("needs/indicators/_service_section.html", context, request=request)]


@part
def register_indicators() -> None:
    hooks.register("registry_service_sections", registry_service_sections)
