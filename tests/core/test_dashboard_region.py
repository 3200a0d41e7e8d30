"""The home dashboard of regional authorities, municipalities and the ministry (the ``dashboard_region`` sections of
registry, territory, assessments and improvement): real figures, only the user's own territory, only assessments
the user may open, the ministry's 14 regions in Czech order, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from qmss.assessments.models import Assessment
from qmss.assessments.testing import link_provider_to_registry, make_assessment
from qmss.core.models import Membership
from qmss.core.roles import OrganisationKind, Role
from qmss.improvement.models import Action
from qmss.improvement.testing import make_action, make_plan
from qmss.registry.models import RegistryChange
from qmss.registry.testing import make_change, make_import, make_service
from qmss.territory.models import Municipality, Region
from qmss.testing.factories import make_municipality, make_org, make_region, make_user
from qmss.testing.queries import assert_constant_queries
from tests.conftest import ServiceWorld

BEDS = "TypKapacitySocialniSluzby/luzka"
CLIENTS = "TypKapacitySocialniSluzby/klient"

# The 14 regions, in Czech alphabetical order (ICU: "Kraj Vysočina" before "Královéhradecký", Ú after S)
CZECH_REGIONS = [
    ("CZ010", "Hlavní město Praha"),
    ("CZ031", "Jihočeský kraj"),
    ("CZ064", "Jihomoravský kraj"),
    ("CZ041", "Karlovarský kraj"),
    ("CZ063", "Kraj Vysočina"),
    ("CZ052", "Královéhradecký kraj"),
    ("CZ051", "Liberecký kraj"),
    ("CZ080", "Moravskoslezský kraj"),
    ("CZ071", "Olomoucký kraj"),
    ("CZ053", "Pardubický kraj"),
    ("CZ032", "Plzeňský kraj"),
    ("CZ020", "Středočeský kraj"),
    ("CZ042", "Ústecký kraj"),
    ("CZ072", "Zlínský kraj"),
]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sections(response, key: str) -> list:
    """The sections with ``key`` of every panel of the dashboard response, in panel order."""
    assert response.status_code == 200
    return [s for panel in response.context["panels"] for s in panel.sections if s.key == key]


def _section(response, key: str):
    found = _sections(response, key)
    assert len(found) == 1, f"{len(found)} sections {key}"
    return found[0]


def _published(org, service, *, kind=Assessment.Kind.AUDIT, title: str, days_ago: int = 1):
    assessment = make_assessment(org, kind=kind, state=Assessment.State.PUBLISHED, service=service, title=title)
    Assessment.objects.filter(pk=assessment.pk).update(published_at=timezone.now() - timedelta(days=days_ago))
    return assessment


# --- region --------------------------------------------------------------------------------------------------------


def test_region_manager_sees_services_and_capacity_of_their_region_only(tenant_a, tenant_b):
    region_a = tenant_a.region
    make_service(name="Domov Alfa", forms=(("pob", (("luzka", 40),)),), municipalities=[tenant_a.municipality])
    make_service(name="Terén Alfa", forms=(("ter", (("klient", 25),)),), facilities=[{"region": region_a}])
    make_service(
        name="Dvojí Alfa",
        forms=(("pob", (("luzka", 5),)), ("amb", (("klient", 3),))),
        facilities=[{"region": region_a}],
    )
    make_service(name="Ukončená Alfa", date_to=date(2020, 1, 1), municipalities=[tenant_a.municipality])
    make_service(name="Domov Beta", forms=(("pob", (("luzka", 99),)),), municipalities=[tenant_b.municipality])

    response = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)).get("/")
    section = _section(response, "registry-region-services")
    figures = section.context["figures"]
    assert figures.services == 3  # the ended service and region B's are not counted
    assert figures.capacity_of(BEDS) == 45  # beds and clients are summed apart, never together
    assert figures.capacity_of(CLIENTS) == 28
    assert {line.name for line in figures.capacity} == {"lůžka", "klienti"}
    assert section.context["providers"] == 1  # tenant A's provider organisation is seated in the region
    body = response.content.decode()
    assert f"/registr/?region={region_a.code}" in body
    assert "99" not in re.sub(
        r"<[^>]+>", " ", body.split('id="dash-registry-region-services')[1].split("</section>")[0]
    )

    response_b = _client(tenant_b.user(OrganisationKind.REGION, Role.ADMIN)).get("/")
    figures_b = _section(response_b, "registry-region-services").context["figures"]
    assert (figures_b.services, figures_b.capacity_of(BEDS), figures_b.capacity_of(CLIENTS)) == (1, 99, None)
    assert f"/registr/?region={tenant_b.region.code}" in response_b.content.decode()


def test_region_sees_newly_published_assessments_it_may_open_only(tenant_a, tenant_b, framework):
    world_a, world_b = ServiceWorld.build(tenant_a, framework), ServiceWorld.build(tenant_b, framework)
    _published(world_a.provider, world_a.service, title="Audit Alfa")
    _published(world_a.provider, world_a.service, kind=Assessment.Kind.SELF, title="Sebehodnocení Alfa", days_ago=2)
    _published(world_a.provider, world_a.service, title="Starý audit Alfa", days_ago=45)
    make_assessment(world_a.provider, service=world_a.service, title="Rozpracované Alfa")  # draft
    # tenant B's provider assessing A's service: not attributed to the service's verified provider
    _published(world_b.provider, world_a.service, kind=Assessment.Kind.SELF, title="Cizí tvrzení o Alfě")
    _published(world_b.provider, world_b.service, title="Audit Beta")

    response = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)).get("/")
    section = _section(response, "assessments-region-published")
    assert [a.title for a in section.context["assessments"]] == ["Audit Alfa", "Sebehodnocení Alfa"]
    assert section.context["count"] == 2
    body = response.content.decode()
    assert "Audit Alfa" in body and "Audit Beta" not in body and "Cizí tvrzení" not in body
    assert "Rozpracované Alfa" not in body and "Starý audit Alfa" not in body

    response_b = _client(tenant_b.user(OrganisationKind.REGION, Role.READER)).get("/")
    titles_b = [a.title for a in _section(response_b, "assessments-region-published").context["assessments"]]
    assert titles_b == ["Audit Beta"]


def test_each_regional_panel_shows_its_own_region(tenant_a, tenant_b, framework):
    """A user on two regional authorities: each panel lists its own region's services and assessments."""
    world_a, world_b = ServiceWorld.build(tenant_a, framework), ServiceWorld.build(tenant_b, framework)
    _published(world_a.provider, world_a.service, title="Audit Alfa")
    _published(world_b.provider, world_b.service, title="Audit Beta")
    make_plan(world_a.provider, service=world_a.service)
    make_plan(world_b.provider, service=world_b.service)
    make_plan(world_b.provider)
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    Membership.objects.create(user=user, organisation=tenant_b.orgs[OrganisationKind.REGION], role=Role.READER)

    response = _client(user).get("/")
    by_region = {
        s.membership_id: [a.title for a in s.context["assessments"]]
        for s in _sections(response, "assessments-region-published")
    }
    membership_a = Membership.objects.get(user=user, organisation=tenant_a.orgs[OrganisationKind.REGION])
    membership_b = Membership.objects.get(user=user, organisation=tenant_b.orgs[OrganisationKind.REGION])
    assert by_region == {membership_a.pk: ["Audit Alfa"], membership_b.pk: ["Audit Beta"]}
    services = {s.membership_id: s.context["figures"].services for s in _sections(response, "registry-region-services")}
    assert services == {membership_a.pk: 1, membership_b.pk: 1}
    plans = {s.membership_id: s.context["progress"].plans for s in _sections(response, "improvement-region-plans")}
    assert plans == {membership_a.pk: 1, membership_b.pk: 2}


def test_region_sees_plan_progress_of_its_providers(tenant_a, tenant_b, framework):
    world_a = ServiceWorld.build(tenant_a, framework)
    plan = make_plan(world_a.provider, service=world_a.service)
    today = timezone.localdate()
    make_action(plan, status=Action.Status.DONE, deadline=today - timedelta(days=3))
    make_action(plan, status=Action.Status.IN_PROGRESS, deadline=today - timedelta(days=1))  # overdue
    make_action(plan, status=Action.Status.PLANNED, deadline=today + timedelta(days=30))
    make_action(make_plan(world_a.provider), status=Action.Status.PLANNED)  # organisation-wide plan
    make_plan(world_a.provider, service=world_a.service, state="draft")  # drafts are not counted

    response = _client(tenant_a.user(OrganisationKind.REGION, Role.ADMIN)).get("/")
    progress = _section(response, "improvement-region-plans").context["progress"]
    assert (progress.plans, progress.providers, progress.actions, progress.done, progress.overdue) == (2, 1, 4, 1, 1)
    assert progress.percent_done == 25
    assert f"/rozvoj/region/?region={tenant_a.region.code}" in response.content.decode()

    response_b = _client(tenant_b.user(OrganisationKind.REGION, Role.ADMIN)).get("/")
    assert _section(response_b, "improvement-region-plans").context["progress"].plans == 0


def test_region_sees_registry_changes_of_the_last_import_in_its_region(tenant_a, tenant_b):
    added = make_service(name="Nová Alfa", municipalities=[tenant_a.municipality])
    changed = make_service(name="Změněná Alfa", municipalities=[tenant_a.municipality])
    beta = make_service(name="Ukončená Beta", municipalities=[tenant_b.municipality])
    older = make_import(finished_at=timezone.now() - timedelta(days=10), counts={"new": 500})
    make_change(changed, older, kind=RegistryChange.Kind.NEW)
    last = make_import(finished_at=timezone.now(), counts={"new": 12, "changed": 30, "ended": 4, "missing": 0})
    make_change(added, last, kind=RegistryChange.Kind.NEW)
    make_change(changed, last, kind=RegistryChange.Kind.CHANGED, field="name")
    make_change(changed, last, kind=RegistryChange.Kind.CHANGED, field="kind")  # one service, two fields
    make_change(beta, last, kind=RegistryChange.Kind.ENDED, field="datumUkonceni")
    make_import(finished_at=timezone.now() + timedelta(minutes=1), dry_run=True, counts={"new": 999})

    response = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)).get("/")
    context = _section(response, "registry-region-changes").context
    assert context["registry_import"] == last
    changes = context["changes"]
    assert (changes.new, changes.changed, changes.ended, changes.missing) == (1, 1, 0, 0)
    assert (context["national"].new, context["national"].changed, context["national"].ended) == (12, 30, 4)

    response_b = _client(tenant_b.user(OrganisationKind.REGION, Role.ADMIN)).get("/")
    changes_b = _section(response_b, "registry-region-changes").context["changes"]
    assert (changes_b.new, changes_b.changed, changes_b.ended) == (0, 0, 1)


def test_region_panel_replaces_the_hard_coded_texts(tenant_a):
    response = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)).get("/")
    body = response.content.decode()
    assert "Jako správce sítě" not in body  # the former fixed sentence
    assert response.context["panels"][0].figures.get("region") is None
    keys = [s.key for s in response.context["panels"][0].sections]
    for key in (
        "registry-region-services",
        "assessments-region-published",
        "improvement-region-plans",
        "registry-region-changes",
        "territory-region",
    ):
        assert key in keys
    assert keys.index("registry-region-services") < keys.index("territory-region")


# --- municipality ----------------------------------------------------------------------------------------------------


def test_municipality_sees_services_of_its_municipality_and_orp(tenant_a, tenant_b):
    home = tenant_a.municipality
    neighbour = Municipality.objects.create(
        code="999001", name="Sousední obec", district=home.district, orp=home.orp, region=home.region
    )
    elsewhere = make_municipality(tenant_a.region, name="Jinde")  # another ORP of the same region
    make_service(name="Domov doma", forms=(("pob", (("luzka", 30),)),), municipalities=[home])
    make_service(name="Terén u sousedů", forms=(("ter", (("klient", 12),)),), municipalities=[neighbour])
    make_service(name="Domov jinde", forms=(("pob", (("luzka", 70),)),), municipalities=[elsewhere])
    make_service(name="Domov Beta", municipalities=[tenant_b.municipality])

    response = _client(tenant_a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR)).get("/")
    context = _section(response, "registry-municipality-services").context
    assert context["municipality"] == home and context["orp"].pk == home.orp_id
    local, orp = context["municipality_figures"], context["orp_figures"]
    assert (local.services, local.capacity_of(BEDS), local.capacity_of(CLIENTS)) == (1, 30, None)
    assert (orp.services, orp.capacity_of(BEDS), orp.capacity_of(CLIENTS)) == (2, 30, 12)
    body = response.content.decode()
    assert f"/registr/?orp={home.orp.ruian_code}" in body
    assert f"/registr/?municipality={home.code}" in body
    assert f"/uzemi/orp/{home.orp.ruian_code}/" in body and f"/uzemi/obec/{home.code}/" in body
    # not the region's figures: no region block, no region sections
    assert response.context["panels"][0].figures.get("region") is None
    assert not _sections(response, "registry-region-services") and not _sections(response, "territory-region")
    place = _section(response, "territory-municipality").context["place"]
    assert place["population"] == 1000 and place["orp_municipalities"] == 2


def test_municipality_without_a_linked_municipality_is_told_so(db):
    org = make_org(OrganisationKind.MUNICIPALITY, "Obec bez vazby", region=make_region())
    response = _client(make_user("bez-obce", org=org, role=Role.READER)).get("/")
    assert _section(response, "registry-municipality-services").context["municipality"] is None


# --- ministry --------------------------------------------------------------------------------------------------------


def _fourteen_regions() -> dict[str, Region]:
    # created in code order, so that the Czech order must come from the collation, not from the database
    return {code: make_region(code, name) for code, name in sorted(CZECH_REGIONS)}


def test_ministry_sees_all_fourteen_regions_in_czech_order_with_national_totals(db, framework):
    regions = _fourteen_regions()
    ministry = make_org(OrganisationKind.MINISTRY, "Ministerstvo (test)", region=regions["CZ010"])
    user = make_user("ministr", org=ministry, role=Role.READER)
    praha, stredocesky, zlin = regions["CZ010"], regions["CZ020"], regions["CZ072"]
    make_service(name="Přes hranici", forms=(("pob", (("luzka", 10),)),),
                 facilities=[{"region": praha}, {"region": stredocesky}])  # fmt: skip
    make_service(name="Pražský terén", forms=(("ter", (("klient", 7),)),), facilities=[{"region": praha}])
    make_service(name="Bez místa", forms=(("pob", (("luzka", 1),)),))  # no facility: national total only
    make_service(name="Praha a Zlín", forms=(("pob", (("luzka", 20),)),),
                 facilities=[{"region": praha}, {"region": zlin}])  # fmt: skip
    provider = make_org(OrganisationKind.PROVIDER, "Zlínský poskytovatel", region=zlin, ico="24681357")
    service = link_provider_to_registry(provider, service_name="Domov Zlín", region=zlin)
    _published(provider, service, title="Audit Zlín")
    _published(provider, service, kind=Assessment.Kind.SELF, title="Sebehodnocení Zlín")  # not an audit
    make_assessment(provider, kind=Assessment.Kind.AUDIT, service=service)  # not published

    response = _client(user).get("/")
    context = _section(response, "registry-national").context
    assert [row.region.name for row in context["rows"]] == [name for _code, name in CZECH_REGIONS]
    rows = {row.region.code: row for row in context["rows"]}
    services = {code: row.figures.services for code, row in rows.items() if row.figures.services}
    assert services == {"CZ010": 3, "CZ020": 1, "CZ072": 2}
    assert rows["CZ010"].figures.capacity_of(BEDS) == 30 and rows["CZ020"].figures.capacity_of(BEDS) == 10
    assert rows["CZ010"].figures.capacity_of(CLIENTS) == 7
    national = context["national"]
    assert national.services == 5  # each spanning service once (not 6), the service without a place included
    assert national.capacity_of(BEDS) == 10 + 1 + 20 + 40  # Domov Zlín has the default 40 beds
    assert rows["CZ072"].providers == 1 and context["providers_total"] == 1
    (audits,) = [c for c in context["columns"] if c.key == "published_audits"]
    assert audits.values == {zlin.pk: 1} and audits.total == 1
    assert [value for column, value in rows["CZ072"].columns if column.key == "published_audits"] == [1]

    body = response.content.decode()
    table = body.split('id="dash-registry-national')[1]
    shown = re.findall(r'<th scope="row"><a href="/uzemi/kraj/(CZ\d+)/">', table)
    assert shown == [code for code, _name in CZECH_REGIONS]
    assert "/registr/?region=CZ010" in table


# --- query budgets ---------------------------------------------------------------------------------------------------


def _grow_region_user(user, framework):
    """Each step: one more regional authority the user works for, in a new region, with a registered service of a
    verified provider, a published audit of it, an active plan with an action and a change in the last import."""
    last = make_import(finished_at=timezone.now(), counts={"new": 1})

    def grow(n):
        while (count := Membership.objects.filter(user=user).count()) < n:
            region = make_region(f"CZ8{10 + count}", f"Kraj {count}")
            org = make_org(OrganisationKind.REGION, f"Krajský úřad {count}", region=region)
            Membership.objects.create(user=user, organisation=org, role=Role.NETWORK_MANAGER)
            provider = make_org(OrganisationKind.PROVIDER, f"Poskytovatel {count}", region=region, ico=f"5{count:07d}")
            service = link_provider_to_registry(provider, service_name=f"Služba {count}", region=region)
            make_service(
                name=f"Další {count}", forms=(("ter", ((f"typ{count}", 3),)),), facilities=[{"region": region}]
            )
            _published(provider, service, title=f"Audit {count}")
            make_action(make_plan(provider, service=service))
            make_change(service, last, kind=RegistryChange.Kind.NEW)

    return grow


def test_region_dashboard_query_budget(db, framework):
    first = make_org(OrganisationKind.REGION, "Krajský úřad 0", region=make_region("CZ800", "Kraj 0"))
    user = make_user("krajska", org=first, role=Role.NETWORK_MANAGER)
    client = _client(user)
    assert_constant_queries(
        lambda: client.get("/"),
        _grow_region_user(user, framework),
        count=lambda: Membership.objects.filter(user=user).count() + Assessment.objects.count(),
        small=2,
        large=6,
        max_queries=24,  # + network sections (networks, applications, analysis) + financing (2) + open reports (1)
    )


def test_municipality_dashboard_query_budget(db):
    region = make_region("CZ800", "Kraj 0")
    user = make_user("obecni")

    def grow(n):
        while (count := Membership.objects.filter(user=user).count()) < n:
            municipality = make_municipality(region, name=f"Obec {count}")
            org = make_org(
                OrganisationKind.MUNICIPALITY, f"Obecní úřad {count}", region=region, municipality=municipality
            )
            Membership.objects.create(user=user, organisation=org, role=Role.EDITOR)
            make_service(name=f"Domov {count}", forms=(("pob", ((f"typ{count}", 5),)),), municipalities=[municipality])
            neighbour = Municipality.objects.create(
                code=f"98{count:04d}", name=f"Soused {count}", district=municipality.district, orp=municipality.orp,
                region=region,
            )  # fmt: skip
            make_service(name=f"Terén {count}", forms=(("ter", ((f"jiny{count}", 2),)),), municipalities=[neighbour])

    client = _client(user)
    assert_constant_queries(
        lambda: client.get("/"),
        grow,
        count=lambda: Membership.objects.filter(user=user).count(),
        small=1,
        large=5,
        max_queries=17,  # + the municipality's networks, the applications awaiting its statement, financing (2)
    )


def test_ministry_dashboard_query_budget(db, framework):
    ministry = make_org(OrganisationKind.MINISTRY, "Ministerstvo (test)")
    user = make_user("ministerska", org=ministry, role=Role.READER)

    def grow(n):
        while (count := Region.objects.count()) < n:
            region = make_region(f"CZ8{10 + count}", f"Kraj {count}")
            provider = make_org(OrganisationKind.PROVIDER, f"Poskytovatel {count}", region=region, ico=f"6{count:07d}")
            service = link_provider_to_registry(provider, service_name=f"Služba {count}", region=region)
            make_service(
                name=f"Další {count}", forms=(("ter", ((f"typ{count}", 3),)),), facilities=[{"region": region}]
            )
            _published(provider, service, title=f"Audit {count}")
            second = make_org(OrganisationKind.MINISTRY, f"Odbor {count}", region=region)
            Membership.objects.create(user=user, organisation=second, role=Role.READER)

    client = _client(user)
    assert_constant_queries(
        lambda: client.get("/"),
        grow,
        count=lambda: (
            Region.objects.count() + Assessment.objects.count() + Membership.objects.filter(user=user).count()
        ),
        small=2,
        large=8,
        max_queries=16,
    )


@pytest.mark.parametrize("kind", [OrganisationKind.REGION, OrganisationKind.MUNICIPALITY, OrganisationKind.MINISTRY])
def test_dashboard_answers_without_any_registry_data(db, kind):
    region = make_region()
    extra = {"municipality": make_municipality(region)} if kind == OrganisationKind.MUNICIPALITY else {}
    org = make_org(kind, "Prázdná organizace", region=region, **extra)
    response = _client(make_user(f"prazdny-{kind}", org=org, role=Role.ADMIN)).get("/")
    assert response.status_code == 200
    assert response.context["panels"][0].sections
