"""Builders of the situations part for tests and the URL × role matrix."""

from __future__ import annotations

from qmss.core.roles import OrganisationKind
from qmss.portal.models import SituationPhrase


def make_phrase(organisation, *, text: str = "babička po operaci kyčle", need_codes=("mobility", "hygiene"),
                target_group_codes=(), user=None, active: bool = True) -> SituationPhrase:  # fmt: skip
    return SituationPhrase.objects.create(
        organisation=organisation,
        text=text,
        need_codes=list(need_codes),
        target_group_codes=list(target_group_codes),
        created_by=user,
        active=active,
    )


def matrix_kwargs(tenant) -> dict:
    """Tenant A's regional authority's phrasing; its text carries the authority's name (a tenant secret)."""
    organisation = tenant.orgs[OrganisationKind.REGION]
    phrase = make_phrase(organisation, text=f"kocour po operaci {organisation.name}"[:200])
    return {"phrase_pk": phrase.pk}
