"""Reads of network applications, every one scoped by the user's :class:`Scope`.

Who sees an application: members of the provider organisation that filed it, members of the network's manager
organisation, staff of a municipality whose municipality lies in the territory the application serves (its code
among ``municipality_codes`` or its ORP among ``orp_codes``), and superusers. Nobody else learns it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from qmss.core.collation import czech_sorted
from qmss.core.models import Membership, Organisation
from qmss.core.roles import ROLE_PERMS, OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.network import permissions
from qmss.network.models import (
    Application,
    ApplicationAttachment,
    ApplicationStep,
    MunicipalityStatement,
    Network,
    NetworkEntry,
    NetworkVersion,
)
from qmss.registry.models import Facility, Service
from qmss.registry.selectors import active_condition, in_regions_condition
from qmss.registry.selectors_links import services_of_organisations
from qmss.territory.models import Municipality, Orp

OPEN_STATES = (
    Application.State.SUBMITTED,
    Application.State.FORMAL_CHECK,
    Application.State.RETURNED,
    Application.State.EVALUATION,
    Application.State.PROPOSAL,
)
FINAL_STATES = (Application.State.APPROVED, Application.State.REJECTED, Application.State.WITHDRAWN)
# Kinds for which the municipality's statement of need is an admission test (before evaluation).
STATEMENT_KINDS = (Application.Kind.NEW, Application.Kind.DEVELOPMENT)
EDIT_ROLES = tuple(role for role, perms in ROLE_PERMS.items() if Perm.EDIT in perms)


# --- the network's current version ---------------------------------------------------------------------------


def current_version(network: Network) -> NetworkVersion | None:
    from qmss.network.selectors_networks import current_version as networks_current_version

    return networks_current_version(network)


def services_in_version(version: NetworkVersion | None) -> frozenset[int]:
    if version is None:
        return frozenset()
    return frozenset(NetworkEntry.objects.filter(version=version).values_list("service_id", flat=True))


# --- territory -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Territory:
    """The ORPs and municipalities of a network's region an application may serve (Czech order)."""

    orps: list[Orp]
    municipalities: list[Municipality]

    @property
    def orp_codes(self) -> frozenset[int]:
        return frozenset(orp.ruian_code for orp in self.orps)

    @property
    def municipality_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.municipalities)


def network_territory(network: Network) -> Territory:
    orps = czech_sorted(Orp.objects.filter(region_id=network.region_id).defer("boundary"), "name")
    municipalities = (
        Municipality.objects.filter(region_id=network.region_id).select_related("orp").defer("orp__boundary")
    )
    return Territory(orps=orps, municipalities=czech_sorted(municipalities, "name"))


def territory_names(application: Application) -> tuple[list[str], list[str]]:
    """Names of the ORPs and municipalities an application serves (codes unknown to the territory kept as codes)."""
    orp_names = dict(
        Orp.objects.filter(ruian_code__in=list(application.orp_codes or [])).values_list("ruian_code", "name")
    )
    municipality_names = dict(
        Municipality.objects.filter(code__in=[str(c) for c in application.municipality_codes or []]).values_list(
            "code", "name"
        )
    )
    orps = czech_sorted(orp_names.get(int(code), str(code)) for code in application.orp_codes or [])
    municipalities = czech_sorted(
        municipality_names.get(str(code), str(code)) for code in application.municipality_codes or []
    )
    return orps, municipalities


def serves(application: Application, municipality: Municipality) -> bool:
    """Whether ``municipality`` lies in the territory the application serves (``municipality.orp`` loaded)."""
    codes = {str(code) for code in application.municipality_codes or []}
    orps = {int(code) for code in application.orp_codes or []}
    return municipality.code in codes or municipality.orp.ruian_code in orps


# --- visibility ----------------------------------------------------------------------------------------------


def _my_municipalities(scope: Scope, perm: str = Perm.VIEW) -> list[Municipality]:
    ids = scope.municipality_ids(perm)
    if not ids:
        return []
    return list(Municipality.objects.filter(pk__in=ids).select_related("orp").defer("orp__boundary"))


def _serving_ids(scope: Scope) -> set[int]:
    """Applications serving the territory of the user's municipalities (read once, filtered in Python: the codes
    are JSON lists, and only the applications of networks in those municipalities' regions are read)."""
    municipalities = _my_municipalities(scope)
    if not municipalities:
        return set()
    rows = Application.objects.filter(network__region_id__in={m.region_id for m in municipalities}).values_list(
        "pk", "orp_codes", "municipality_codes"
    )
    codes = {m.code for m in municipalities}
    orps = {m.orp.ruian_code for m in municipalities}
    result = set()
    for pk, orp_codes, municipality_codes in rows:
        if codes & {str(c) for c in municipality_codes or []} or orps & {int(c) for c in orp_codes or []}:
            result.add(pk)
    return result


def visible_applications(scope: Scope) -> QuerySet[Application]:
    if scope.is_superuser:
        return Application.objects.all()
    if not scope.is_authenticated:
        return Application.objects.none()
    organisations = scope.organisation_ids(Perm.VIEW)
    condition = Q(organisation_id__in=organisations) | Q(network__organisation_id__in=organisations)
    serving = _serving_ids(scope)
    if serving:
        condition |= Q(pk__in=serving)
    return Application.objects.filter(condition)


@dataclass(frozen=True)
class ApplicationFilters:
    network: int | None = None
    state: str = ""
    kind: str = ""

    @classmethod
    def from_data(cls, data) -> ApplicationFilters:
        network = data.get("sit") or ""
        state = data.get("stav") or ""
        kind = data.get("typ") or ""
        return cls(
            network=int(network) if network.isdigit() else None,
            state=state if state in Application.State.values else "",
            kind=kind if kind in Application.Kind.values else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.network or self.state or self.kind)


def application_list(scope: Scope, filters: ApplicationFilters | None = None) -> QuerySet[Application]:
    filters = filters or ApplicationFilters()
    qs = visible_applications(scope)
    if filters.network:
        qs = qs.filter(network_id=filters.network)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.select_related("network", "organisation", "service", "service__kind", "tier").order_by(
        "-created_at", "-pk"
    )


def filter_networks(scope: Scope) -> list[Network]:
    """Networks of the applications the user sees (the choices of the list's network filter)."""
    ids = visible_applications(scope).values("network_id")
    return czech_sorted(Network.objects.filter(pk__in=ids), "name")


def get_application(scope: Scope, application_pk) -> Application:
    qs = visible_applications(scope).select_related(
        "network",
        "network__organisation",
        "network__region",
        "organisation",
        "service",
        "service__kind",
        "tier",
        "resulting_version",
        "rule_set",
        "parameter_set",
    )
    return get_object_or_404_scoped(qs, pk=application_pk)


def get_attachment(scope: Scope, attachment_pk) -> ApplicationAttachment:
    qs = ApplicationAttachment.objects.filter(application__in=visible_applications(scope))
    return get_object_or_404_scoped(qs, pk=attachment_pk)


def detail_parts(application: Application) -> dict:
    """Steps, statements and attachments of one application (three queries)."""
    return {
        "steps": list(ApplicationStep.objects.filter(application=application).select_related("created_by")),
        "statements": list(
            MunicipalityStatement.objects.filter(application=application).select_related("organisation", "created_by")
        ),
        "attachments": list(ApplicationAttachment.objects.filter(application=application)),
    }


# --- who may do what with one application ---------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    is_manager: bool = False  # moves the workflow and decides
    is_provider: bool = False  # member of the filing organisation
    provider_edits: bool = False  # editor/admin of the filing organisation: attachments, corrections, withdrawal
    statement_organisations: list[Organisation] = field(default_factory=list)  # municipalities the user files for
    sees_scores: bool = False


def access(scope: Scope, application: Application) -> Access:
    is_manager = permissions.can_manage(scope, application.network)
    is_provider = scope.is_superuser or application.organisation_id in scope.organisation_ids(Perm.VIEW)
    return Access(
        is_manager=is_manager,
        is_provider=is_provider,
        provider_edits=scope.has_perm(Perm.EDIT, application.organisation_id),
        statement_organisations=statement_organisations(scope, application),
        sees_scores=permissions.can_see_work(scope, application.network) or is_provider,
    )


def statement_organisations(scope: Scope, application: Application) -> list[Organisation]:
    """Municipality organisations whose editors/admins this user is and whose municipality the application serves
    (a superuser files for none: a statement is the municipality's own)."""
    ids = scope.municipality_ids(Perm.EDIT)
    if not ids:
        return []
    organisations = Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY,
        pk__in=scope.organisation_ids(Perm.EDIT),
        municipality_id__in=ids,
    ).select_related("municipality", "municipality__orp")
    return czech_sorted((o for o in organisations if serves(application, o.municipality)), "name")


def municipalities_asked(application: Application) -> QuerySet[Organisation]:
    """Municipality organisations whose municipality lies in the application's territory (asked for statements)."""
    condition = Q(municipality__code__in=[str(c) for c in application.municipality_codes or []]) | Q(
        municipality__orp__ruian_code__in=[int(c) for c in application.orp_codes or []]
    )
    return Organisation.objects.filter(condition, kind=OrganisationKind.MUNICIPALITY, municipality__isnull=False)


# --- filing --------------------------------------------------------------------------------------------------


def filing_organisations(scope: Scope) -> list[Organisation]:
    """Provider organisations the user files for (editors and administrators)."""
    ids = scope.organisation_ids(Perm.EDIT)
    return czech_sorted(Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.PROVIDER), "name")


def can_file_any(scope: Scope) -> bool:
    return Organisation.objects.filter(
        pk__in=scope.organisation_ids(Perm.EDIT), kind=OrganisationKind.PROVIDER
    ).exists()


def _in_network_territory(network: Network) -> Exists:
    """A service with a facility in the network's territory: the municipality of a local network, else the region."""
    if network.municipality_id:
        facilities = Facility.objects.filter(
            Q(municipality_id=network.municipality_id) | Q(municipality_code=network.municipality.code)
        )
        return Exists(facilities.filter(service=OuterRef("pk")))
    return in_regions_condition([network.region_id])


def filing_services(organisation_ids, network: Network, *, without_open: bool = False) -> QuerySet[Service]:
    """Active registry services of the organisations' VERIFIED providers with a facility in the network's
    territory – the only services an application may be filed for (``without_open``: those without an open
    application to the network, the choices of the filing form)."""
    services = services_of_organisations(organisation_ids).filter(active_condition(), _in_network_territory(network))
    if without_open:
        open_ = Application.objects.filter(network=network, service=OuterRef("pk"), state__in=OPEN_STATES)
        services = services.exclude(Exists(open_))
    return services.select_related("kind", "provider__link").order_by("name_sort", "portal_id")


def networks_for_provider(scope: Scope) -> list[Network]:
    """Networks in whose region the user's provider organisations have a service (where they may file)."""
    ids = scope.organisation_ids(Perm.EDIT)
    services = services_of_organisations(ids)
    regions = services.values("facilities__region_id")
    municipality_regions = services.values("facilities__municipality__region_id")
    networks = Network.objects.filter(Q(region_id__in=regions) | Q(region_id__in=municipality_regions))
    return czech_sorted(networks.select_related("region"), "name")


# --- the dashboard -------------------------------------------------------------------------------------------


def open_counts_by_organisation(organisation_ids) -> dict[int, int]:
    """Open applications filed by each provider organisation."""
    rows = (
        Application.objects.filter(organisation_id__in=list(organisation_ids), state__in=OPEN_STATES)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["organisation_id"]: row["n"] for row in rows}


def open_counts_by_manager(organisation_ids) -> dict[int, dict[str, int]]:
    """Open applications of the networks each manager organisation runs, by state."""
    rows = (
        Application.objects.filter(network__organisation_id__in=list(organisation_ids), state__in=OPEN_STATES)
        .values("network__organisation_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["network__organisation_id"], {})[row["state"]] = row["n"]
    return result


def awaiting_statement(municipality_organisations: list[Organisation]) -> dict[int, list[Application]]:
    """Per municipality organisation: open applications of kind A or C serving its municipality without its
    statement yet (two queries for any number of organisations)."""
    organisations = [o for o in municipality_organisations if o.municipality_id]
    if not organisations:
        return {}
    municipalities = {
        m.pk: m
        for m in Municipality.objects.filter(pk__in=[o.municipality_id for o in organisations])
        .select_related("orp")
        .defer("orp__boundary")
    }
    candidates = (
        Application.objects.filter(
            network__region_id__in={m.region_id for m in municipalities.values()},
            state__in=OPEN_STATES,
            kind__in=STATEMENT_KINDS,
        )
        .select_related("service", "network")
        .prefetch_related(
            Prefetch(
                "statements", queryset=MunicipalityStatement.objects.only("pk", "application_id", "organisation_id")
            )
        )
        .order_by("created_at", "pk")
    )
    result: dict[int, list[Application]] = {}
    for application in candidates:
        filed = {s.organisation_id for s in application.statements.all()}
        for organisation in organisations:
            municipality = municipalities.get(organisation.municipality_id)
            if municipality and organisation.pk not in filed and serves(application, municipality):
                result.setdefault(organisation.pk, []).append(application)
    return result


# --- e-mail recipients ---------------------------------------------------------------------------------------


def editor_emails(organisation_ids, *, roles=EDIT_ROLES) -> dict[int, list[str]]:
    """E-mail addresses of the active members with ``roles`` of each organisation."""
    rows = Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role__in=list(roles), user__is_active=True
    ).values_list("organisation_id", "user__email")
    result: dict[int, set[str]] = {}
    for organisation_id, email in rows:
        if email:
            result.setdefault(organisation_id, set()).add(email)
    return {key: sorted(value) for key, value in result.items()}


def manager_emails(network: Network) -> list[str]:
    """The network managers of the network's organisation (those who move its applications)."""
    perm = permissions.manage_perm(network.organisation.kind)
    roles = [role for role, perms in ROLE_PERMS.items() if perm in perms]
    return editor_emails([network.organisation_id], roles=roles).get(network.organisation_id, [])
