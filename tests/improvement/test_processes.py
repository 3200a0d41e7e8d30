"""The process map: model rules, writes, starter templates, pages and the SVG map."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qmss.assessments.testing import criteria, link_provider_to_registry, make_evidence
from qmss.improvement import actions
from qmss.improvement.models import Kpi, KpiMeasurement, Process
from qmss.improvement.templates import available_templates, get_template, load_library
from qmss.improvement.testing import make_kpi, make_process

pytestmark = pytest.mark.django_db


def test_subprocess_takes_parent_kind_and_one_level_only(world):
    scope = world.scope()
    parent = actions.create_process(
        scope=scope, organisation=world.provider, kind=Process.Kind.SUPPORT, name="Lidé", code="P1"
    )
    child = actions.create_process(
        scope=scope,
        organisation=world.provider,
        kind=Process.Kind.MAIN,
        parent=parent,
        name="Vzdělávání",
        code="P1.1",
    )
    assert child.kind == Process.Kind.SUPPORT
    with pytest.raises(ValidationError) as exc:
        actions.create_process(
            scope=scope, organisation=world.provider, parent=child, name="Příliš hluboko", code="P1.1.1"
        )
    assert "parent" in exc.value.message_dict
    # changing the parent's type moves its sub-processes with it
    actions.update_process(scope=scope, process=parent, kind=Process.Kind.MANAGEMENT)
    child.refresh_from_db()
    assert child.kind == Process.Kind.MANAGEMENT


def test_parent_and_links_must_belong_to_the_organisation(world, world_b):
    scope = world.scope()
    foreign_parent = make_process(world_b.provider, name="Cizí proces")
    with pytest.raises(ValidationError):
        actions.create_process(scope=scope, organisation=world.provider, parent=foreign_parent, name="X")
    with pytest.raises(ValidationError):
        actions.create_process(scope=scope, organisation=world.provider, name="X", services=[world_b.service])
    foreign_evidence = make_evidence(world_b.provider, store=False)
    with pytest.raises(ValidationError):
        actions.create_process(scope=scope, organisation=world.provider, name="X", evidence=[foreign_evidence])
    with pytest.raises(ValidationError) as exc:
        actions.create_process(scope=scope, organisation=world.provider, name="X", owner=world_b.admin)
    assert "owner" in exc.value.message_dict


def test_codes_are_unique_within_an_organisation_only(world, world_b):
    make_process(world.provider, code="H1")
    make_process(world_b.provider, code="H1")
    with pytest.raises(ValidationError):
        actions.create_process(scope=world.scope(), organisation=world.provider, name="Dvojník", code="H1")
    # empty codes never clash
    make_process(world.provider, code="")
    make_process(world.provider, code="")


def test_create_with_links_and_permissions(world):
    evidence = make_evidence(world.provider, store=False)
    requirement = criteria(world.framework)[0]
    process = actions.create_process(
        scope=world.scope(world.editor),
        organisation=world.provider,
        kind=Process.Kind.MAIN,
        name="Jednání se zájemcem",
        code="H1",
        owner=world.editor,
        services=[world.service],
        evidence=[evidence],
        requirements=[requirement],
    )
    assert list(process.services.all()) == [world.service]
    assert list(process.evidence.all()) == [evidence]
    assert list(process.requirements.all()) == [requirement]
    with pytest.raises(PermissionDenied):
        actions.create_process(scope=world.scope(world.reader), organisation=world.provider, name="X")


def test_kpi_target_direction():
    kpi = Kpi(target_value=Decimal(10), direction=Kpi.Direction.LOWER)
    assert kpi.meets_target(Decimal(8)) is True
    assert kpi.meets_target(Decimal(12)) is False
    kpi.direction = Kpi.Direction.HIGHER
    assert kpi.meets_target(Decimal(12)) is True
    assert kpi.meets_target(None) is None


# --- starter templates ----------------------------------------------------------------------------------


def test_template_library_has_three_templates_with_all_bands():
    library = load_library()
    assert library.source and library.valid_from
    keys = {t.key for t in available_templates()}
    assert keys == {"residential", "field", "counselling"}
    for template in available_templates():
        assert template.count(Process.Kind.MANAGEMENT) >= 3
        assert 4 <= template.count(Process.Kind.MAIN) <= 6
        assert template.count(Process.Kind.SUPPORT) >= 4
        assert any(p.subprocesses for p in template.processes)
        assert 1 <= sum(len(p.kpis) for p in template.processes) <= 2


def test_copy_template_and_refuse_second_copy_without_confirmation(world):
    template = get_template("residential")
    created = actions.copy_process_template(
        scope=world.scope(), organisation=world.provider, template_key="residential"
    )
    expected = len(template.processes) + sum(len(p.subprocesses) for p in template.processes)
    assert len(created) == expected == Process.objects.filter(organisation=world.provider).count()
    assert Kpi.objects.filter(process__organisation=world.provider).count() == sum(
        len(p.kpis) for p in template.processes
    )
    names = set(Process.objects.filter(organisation=world.provider).values_list("name", flat=True))
    assert "Jednání se zájemcem o službu" in names and "Individuální plánování průběhu služby" in names
    with pytest.raises(ValidationError):
        actions.copy_process_template(scope=world.scope(), organisation=world.provider, template_key="residential")
    assert Process.objects.filter(organisation=world.provider).count() == expected
    actions.copy_process_template(
        scope=world.scope(), organisation=world.provider, template_key="residential", confirm=True
    )
    assert Process.objects.filter(organisation=world.provider).count() == 2 * expected
    assert Process.objects.filter(organisation=world.provider, code="H1-2").exists()


def test_copy_template_page(world):
    client = world.client()
    url = reverse("improvement:template_copy", kwargs={"organisation_pk": world.provider.pk})
    assert "Pobytová služba" in client.get(url).content.decode()
    response = client.post(url, {"template": "field"})
    assert response.status_code == 302
    assert Process.objects.filter(organisation=world.provider).exists()
    again = client.post(url, {"template": "field"})
    assert again.status_code == 200
    assert Process.objects.filter(organisation=world.provider, code="H1-2").count() == 0
    assert client.post(url, {"template": "field", "confirm": "on"}).status_code == 302
    assert Process.objects.filter(organisation=world.provider, code="H1-2").count() == 1


# --- pages ----------------------------------------------------------------------------------------------


def test_process_list_detail_and_forms(world):
    client = world.client(world.editor)
    requirement = criteria(world.framework)[2]
    url = reverse("improvement:process_create", kwargs={"organisation_pk": world.provider.pk})
    response = client.post(
        url,
        {
            "kind": "main",
            "name": "Poskytování podpory",
            "code": "H4",
            "order": 4,
            "owner": world.editor.pk,
            "services": [world.service.pk],
            "requirements": [requirement.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    process = Process.objects.get(code="H4")
    assert process.owner == world.editor and list(process.requirements.all()) == [requirement]

    response = client.post(
        reverse("improvement:kpi_create", kwargs={"process_pk": process.pk}),
        {
            "name": "Spokojenost uživatelů",
            "unit": "%",
            "target_value": "85",
            "direction": "higher",
        },
    )
    assert response.status_code == 302
    kpi = process.kpis.get()
    for day, value in (("2026-01-31", "70"), ("2026-02-28", "90")):
        response = client.post(
            reverse("improvement:measurement_create", kwargs={"kpi_pk": kpi.pk}), {"date": day, "value": value}
        )
        assert response.status_code == 302
    assert KpiMeasurement.objects.filter(kpi=kpi).count() == 2

    body = client.get(process.get_absolute_url()).content.decode()
    assert "Spokojenost uživatelů" in body and 'class="sparkline"' in body and "polyline" in body
    assert requirement.ref_id in body and "Domov Alfa U Lip" in body

    listing = client.get(reverse("improvement:process_list", kwargs={"organisation_pk": world.provider.pk}))
    assert "H4 Poskytování podpory" in listing.content.decode()

    edit = client.post(
        reverse("improvement:process_edit", kwargs={"process_pk": process.pk}),
        {"kind": "main", "name": "Podpora a péče", "code": "H4", "order": 4},
    )
    assert edit.status_code == 302
    process.refresh_from_db()
    assert process.name == "Podpora a péče" and not process.requirements.exists()

    delete = client.post(reverse("improvement:process_delete", kwargs={"process_pk": process.pk}))
    assert delete.status_code == 302 and not Process.objects.filter(pk=process.pk).exists()


def test_reader_sees_but_cannot_edit(world):
    process = make_process(world.provider, name="Vedení týmu", kind=Process.Kind.MANAGEMENT)
    client = world.client(world.reader)
    assert client.get(process.get_absolute_url()).status_code == 200
    assert client.get(reverse("improvement:process_edit", kwargs={"process_pk": process.pk})).status_code == 403
    url = reverse("improvement:process_create", kwargs={"organisation_pk": world.provider.pk})
    assert client.post(url, {"kind": "main", "name": "X"}).status_code == 403
    assert client.post(reverse("improvement:process_delete", kwargs={"process_pk": process.pk})).status_code == 403
    assert Process.objects.filter(pk=process.pk).exists()


# --- the visual map -------------------------------------------------------------------------------------


def _build_map(world):
    make_process(world.provider, kind=Process.Kind.MANAGEMENT, code="Ř1", name="Strategické řízení")
    first = make_process(world.provider, kind=Process.Kind.MAIN, code="H1", name="Jednání se zájemcem")
    make_process(world.provider, kind=Process.Kind.MAIN, code="H2", name="Uzavření smlouvy")
    make_process(world.provider, parent=first, code="H1.1", name="Informace o službě")
    make_process(world.provider, kind=Process.Kind.SUPPORT, code="P1", name="Ekonomika <a&b>")
    return first


def test_map_svg_has_three_bands_names_and_links(world):
    first = _build_map(world)
    client = world.client(world.reader)
    response = client.get(reverse("improvement:process_map", kwargs={"organisation_pk": world.provider.pk}))
    body = response.content.decode()
    assert 'role="img"' in body and "<title id=" in body and "<desc id=" in body
    for text in ("Management processes", "Main processes", "Support processes"):
        assert text in body or _czech(text) in body
    for name in ("Strategické řízení", "Jednání se zájemcem", "Uzavření smlouvy", "Informace o službě"):
        assert name in body
    assert "Ekonomika &lt;a&amp;b&gt;" in body and "<a&b>" not in body  # escaped
    assert f'href="{first.get_absolute_url()}"' in body
    assert body.count("<polygon points") == 2  # two main processes as arrows (+ their link areas)


def _czech(text: str) -> str:
    from django.utils import translation

    with translation.override("cs"):
        return translation.gettext(text)


def test_printable_map_and_download(world):
    _build_map(world)
    client = world.client(world.reader)
    page = client.get(reverse("improvement:process_map_print", kwargs={"organisation_pk": world.provider.pk}))
    body = page.content.decode()
    # The print layout (A4 landscape) lives in a static stylesheet: the Content-Security-Policy allows no inline style.
    assert "css/process-map-standalone" in body and "<svg" in body and "site-nav" not in body
    from pathlib import Path

    from django.contrib.staticfiles import finders

    assert "size: A4 landscape" in Path(finders.find("css/process-map-standalone.css")).read_text(encoding="utf-8")
    download = client.get(reverse("improvement:process_map_svg", kwargs={"organisation_pk": world.provider.pk}))
    assert download["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in download["Content-Disposition"]
    content = download.content.decode()
    assert content.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in content
    assert "http://testserver/rozvoj/procesy/" in content  # absolute links in a downloaded file
    from xml.etree import ElementTree

    ElementTree.fromstring(download.content)  # well-formed


def test_empty_map_offers_templates(world):
    client = world.client()
    body = client.get(
        reverse("improvement:process_map", kwargs={"organisation_pk": world.provider.pk})
    ).content.decode()
    assert reverse("improvement:template_copy", kwargs={"organisation_pk": world.provider.pk}) in body


def test_kpi_factory(world):
    kpi = make_kpi(make_process(world.provider), values=(1, 2, 3))
    assert kpi.measurements.count() == 3


def test_other_service_of_same_ico_is_linkable(world):
    second = link_provider_to_registry(world.provider, service_name="Odlehčovací služba", region=world.tenant.region)
    process = actions.create_process(
        scope=world.scope(), organisation=world.provider, name="X", services=[world.service, second]
    )
    assert process.services.count() == 2
