"""Builders of network applications for tests, demos and the URL × role matrix (straight through the ORM).

``provider_service(tenant)`` links the tenant's provider organisation (VERIFIED) to a new registry service with a
facility in the tenant's municipality; ``make_application(network, service, ...)`` an application in any state
with its steps; ``make_attachment(application, ...)`` a stored file.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from qmss.core.roles import OrganisationKind
from qmss.network.models import Application, ApplicationAttachment, ApplicationStep, MunicipalityStatement, Network

_seq = itertools.count(1)

FILTER_VALUES = {"sit": "network_pk"}

# The steps an application in a state has been through.
PATH = {
    Application.State.SUBMITTED: (Application.State.SUBMITTED,),
    Application.State.FORMAL_CHECK: (Application.State.SUBMITTED, Application.State.FORMAL_CHECK),
    Application.State.RETURNED: (
        Application.State.SUBMITTED,
        Application.State.FORMAL_CHECK,
        Application.State.RETURNED,
    ),
    Application.State.EVALUATION: (
        Application.State.SUBMITTED,
        Application.State.FORMAL_CHECK,
        Application.State.EVALUATION,
    ),
    Application.State.PROPOSAL: (
        Application.State.SUBMITTED,
        Application.State.FORMAL_CHECK,
        Application.State.EVALUATION,
        Application.State.PROPOSAL,
    ),
}


def provider_service(tenant, *, name: str | None = None, municipality=None, kind: str = "13", **extra):
    """A registry service of the tenant's provider organisation (verified link) with a facility in
    ``municipality`` (the tenant's municipality by default)."""
    from qmss.registry.models import Provider
    from qmss.registry.testing import link_verified, make_provider, make_service

    organisation = tenant.orgs[OrganisationKind.PROVIDER]
    provider = Provider.objects.filter(ico=organisation.ico).first()
    if provider is None:
        provider = make_provider(f"Poskytovatel IČO {organisation.ico}", ico=organisation.ico)
    if not hasattr(provider, "link"):
        link_verified(organisation, provider)
    return make_service(
        provider,
        name=name or f"Služba {next(_seq)}",
        kind=kind,
        municipalities=[municipality or tenant.municipality],
        **extra,
    )


def make_application(
    network: Network,
    service,
    *,
    kind: str = Application.Kind.NEW,
    state: str = Application.State.SUBMITTED,
    organisation=None,
    capacity: Decimal | int = 10,
    unit: str = "luzka",
    orp_codes=None,
    municipality_codes=None,
    tier=None,
    justification: str = "Potřeba v území",
    user=None,
    **extra,
) -> Application:
    """An application (with the steps that lead to ``state``), its organisation the service's verified one."""
    if organisation is None:
        from qmss.core.models import Organisation

        organisation = Organisation.objects.get(provider_link__provider_id=service.provider_id)
    if orp_codes is None and municipality_codes is None:
        facility = service.facilities.select_related("municipality__orp").first()
        orp_codes = [facility.municipality.orp.ruian_code] if facility and facility.municipality_id else []
    application = Application.objects.create(
        network=network,
        organisation=organisation,
        kind=kind,
        state=state,
        service=service,
        capacity=Decimal(capacity),
        unit=unit,
        orp_codes=list(orp_codes or []),
        municipality_codes=[str(code) for code in municipality_codes or []],
        tier=tier if tier is not None else network.tiers.order_by("order", "code").first(),
        justification=justification,
        submitted_at=timezone.now(),
        created_by=user,
        **extra,
    )
    for step_state in PATH.get(state, (Application.State.SUBMITTED, state)):
        ApplicationStep.objects.create(application=application, state=step_state, note="", created_by=user)
    return application


def make_statement(application: Application, organisation, *, position: str = "supports", text: str = "Potřebné"):
    return MunicipalityStatement.objects.create(
        application=application, organisation=organisation, position=position, text=text
    )


def make_attachment(
    application: Application, *, name: str = "priloha.txt", content: bytes = b"Text"
) -> ApplicationAttachment:
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    attachment = ApplicationAttachment(
        application=application,
        original_name=name,
        content_type="text/plain; charset=utf-8",
        size=len(content),
        sha256=digest,
    )
    attachment.file.save(f"{digest[:32]}.txt", ContentFile(content), save=False)
    attachment.save()
    return attachment


def matrix_kwargs(tenant) -> dict:
    """Tenant A's application A in the proposal state (its manager may decide it, the municipality may state,
    the provider may attach and withdraw) with a text attachment; the justification and the file carry the
    provider's name (a tenant secret; every page of the application shows the provider organisation's name too).
    The network is one of the tenant's own, built here (not the URL's ``network_pk``)."""
    from qmss.network.testing_networks import make_network

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    network = make_network(tenant, name=f"Síť pro žádosti {tenant.key}")
    # A registry service is public: its name carries no secret (the application's justification and file do).
    service = provider_service(tenant, name=f"Týdenní stacionář {tenant.key}")
    application = make_application(
        network,
        service,
        state=Application.State.PROPOSAL,
        orp_codes=[tenant.municipality.orp.ruian_code],
        municipality_codes=[tenant.municipality.code],
        justification=f"Zdůvodnění {provider.name}",
    )
    attachment = make_attachment(application, content=f"Příloha žádosti {provider.name}".encode())
    return {"application_pk": application.pk, "attachment_pk": attachment.pk}
