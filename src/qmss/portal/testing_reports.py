"""Builders of reports of unregistered services for tests, and the URL-matrix plug-in of the reports part.

``matrix_kwargs(tenant)`` files a report in tenant A's region (its municipality) whose texts carry A's secrets
(the name of A's regional authority and of its provider organisation), so only A's regional staff may see them.
"""

from __future__ import annotations

import itertools

from qmss.core.roles import OrganisationKind
from qmss.portal.models import UnregisteredReport

_seq = itertools.count(1)

FILTER_VALUES: dict[str, str] = {}


def make_report(municipality, *, service_name: str | None = None, **fields) -> UnregisteredReport:
    """A report filed directly (no e-mail, no spam checks); ``fields`` override the defaults."""
    n = next(_seq)
    values = {
        "service_name": service_name or f"Penzion s péčí {n}",
        "place": f"Hlavní {n}",
        "what_happened": "Nabízejí ubytování s celodenní péčí bez smlouvy.",
        "when": "v listopadu",
        "reporter_name": "Jana Oznamovatelka",
        "reporter_email": f"oznamovatel{n}@example.test",
        "reporter_phone": "+420 123 456 789",
        **fields,
    }
    return UnregisteredReport.objects.create(region_id=municipality.region_id, municipality=municipality, **values)


def matrix_kwargs(tenant) -> dict:
    region_org = tenant.orgs[OrganisationKind.REGION]
    provider_org = tenant.orgs[OrganisationKind.PROVIDER]
    report = make_report(
        tenant.municipality,
        service_name=f"Podezřelý domov {region_org.name}",
        what_happened=f"Služba bez registrace, provozuje ji {provider_org.name}.",
        reporter_email=region_org.email,
    )
    return {"report_pk": report.pk}
