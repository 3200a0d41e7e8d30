"""Provider B sees none of provider A's processes or plans – neither in lists nor through direct URLs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.improvement import selectors
from qmss.improvement.testing import make_action, make_kpi, make_plan, make_process

pytestmark = pytest.mark.django_db


def _objects(world):
    process = make_process(world.provider, name="Tajný proces Alfa")
    kpi = make_kpi(process, name="Tajný ukazatel Alfa", values=(1, 2))
    plan = make_plan(world.provider, title="Tajný plán Alfa")
    action = make_action(plan, title="Tajné opatření Alfa")
    return process, kpi, plan, action


def _urls(world, process, kpi, plan, action) -> list[str]:
    org = {"organisation_pk": world.provider.pk}
    names_org = (
        "process_list",
        "process_create",
        "template_copy",
        "process_map",
        "process_map_print",
        "process_map_svg",
        "plan_list",
        "plan_create",
        "plan_draft",
    )
    urls = [reverse(f"improvement:{name}", kwargs=org) for name in names_org]
    urls += [
        reverse(f"improvement:{name}", kwargs={"process_pk": process.pk})
        for name in ("process_detail", "process_edit", "process_delete", "kpi_create")
    ]
    urls.append(reverse("improvement:measurement_create", kwargs={"kpi_pk": kpi.pk}))
    urls += [
        reverse(f"improvement:{name}", kwargs={"plan_pk": plan.pk})
        for name in ("plan_detail", "plan_edit", "plan_timeline", "plan_xlsx", "plan_pdf", "action_create")
    ]
    urls += [
        reverse(f"improvement:{name}", kwargs={"action_pk": action.pk})
        for name in ("action_detail", "action_edit", "action_status", "action_review")
    ]
    urls += [
        reverse("object_history", kwargs={"model_label": label, "object_pk": obj.pk})
        for label, obj in (
            ("improvement.process", process),
            ("improvement.developmentplan", plan),
            ("improvement.action", action),
        )
    ]
    return urls


def test_provider_b_gets_404_on_every_url_of_a(world, world_b):
    objects = _objects(world)
    urls = _urls(world, *objects)
    for kind, role in (
        (OrganisationKind.PROVIDER, Role.ADMIN),
        (OrganisationKind.PROVIDER, Role.EDITOR),
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.AUDIT_BODY, Role.AUDITOR),
    ):
        client = world_b.client(world_b.user(kind, role))
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, f"{kind}/{role} {method} {url}: {response.status_code}"


def test_a_sees_its_own(world, world_b):
    objects = _objects(world)
    client = world.client(world.reader)
    for url in _urls(world, *objects):
        if any(
            part in url
            for part in (
                "upravit",
                "smazat",
                "novy",
                "nove",
                "mereni",
                "sablona",
                "z-hodnoceni",
                "stav",
                "hodnoceni-ucinnosti",
            )
        ):
            assert client.get(url).status_code == 403, url
        else:
            assert client.get(url).status_code == 200, url


def test_selectors_are_scoped(world, world_b):
    _objects(world)
    make_process(world_b.provider, name="Proces Beta")
    scope_b = Scope.for_user(world_b.admin)
    assert not selectors.visible_processes(scope_b).filter(organisation=world.provider).exists()
    assert not selectors.visible_plans(scope_b).filter(organisation=world.provider).exists()
    assert not selectors.visible_actions(scope_b).filter(plan__organisation=world.provider).exists()
    assert list(selectors.provider_organisations(scope_b)) == [world_b.provider]
    assert selectors.dashboard_actions(scope_b, world_b.admin) == {}


def test_index_lists_only_own_organisations(world, world_b):
    _objects(world)
    body = world_b.client().get(reverse("improvement:index")).content.decode()
    assert world_b.provider.name in body and world.provider.name not in body
