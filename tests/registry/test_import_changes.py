"""Upsert behaviour: changes, missing services, partial files, codes, places, providers and personal data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection

from qmss.registry.importer import run_import
from qmss.registry.models import (
    Facility,
    Provider,
    ReferenceLibrary,
    RegistryChange,
    Service,
    ServiceKind,
    TargetGroup,
)

pytestmark = pytest.mark.django_db


def _changes(run) -> list[tuple]:
    return sorted(
        (c.kind, c.portal_id, c.field, c.old_value, c.new_value)
        for c in RegistryChange.objects.filter(registry_import=run)
    )


def test_missing_services_are_reported_once_and_kept(make_record, write_registry, reference):
    run_import(write_registry([make_record(portalId=1), make_record(portalId=2)]))
    shorter = write_registry([make_record(portalId=1)], name="shorter.json")

    partial = run_import(shorter, partial=True)
    assert partial.counts["missing"] == 0 and not _changes(partial)

    full = run_import(shorter)
    assert full.counts["missing"] == 1
    assert _changes(full) == [(RegistryChange.Kind.MISSING, 2, "", None, None)]
    assert Service.objects.filter(portal_id=2).exists()  # kept, not deleted

    again = run_import(shorter)
    assert again.counts["missing"] == 1 and not _changes(again)  # not reported twice


def test_field_changes_have_readable_paths(make_record, write_registry, reference):
    record = make_record(portalId=3)
    run_import(write_registry([record]))
    record["zarizeni"][0]["adresa"]["obec"] = {"id": "Obec/554782"}
    record["zarizeni"][0]["nazev"] = "Domov Lipová II"
    record["formy"].append(
        {
            "forma": {"id": "FormaSocialniSluzby/ter"},
            "kapacity": [{"pocet": 5, "typ": {"id": "TypKapacitySocialniSluzby/klient"}}],
        }
    )
    record["weby"] = []
    future = (date.today() + timedelta(days=30)).isoformat()
    record["datumPoskytovaniDo"] = future

    run = run_import(write_registry([record], name="changed.json"))

    changes = {change[2]: change for change in _changes(run)}
    assert set(changes) == {
        "datumPoskytovaniDo", "formy[ter]", "weby", "zarizeni[0].adresa.obec", "zarizeni[0].nazev",
    }  # fmt: skip
    assert changes["datumPoskytovaniDo"][0] == RegistryChange.Kind.CHANGED  # a future end is not "ended"
    assert changes["zarizeni[0].adresa.obec"][3:] == ("557897", "554782")
    assert changes["weby"][3:] == (["www.lipova.test/domov"], [])
    assert changes["formy[ter]"][3] is None and changes["formy[ter]"][4]["forma"] == "FormaSocialniSluzby/ter"
    assert run.counts["changed"] == 1 and run.counts["field_changes"] == 5
    service = Service.objects.get(portal_id=3)
    assert sorted(service.forms.values_list("form_code", flat=True)) == [
        "FormaSocialniSluzby/pob", "FormaSocialniSluzby/ter",
    ]  # fmt: skip
    assert service.facilities.get().name == "Domov Lipová II" and service.websites == []


def test_an_ended_service_that_is_reopened_is_a_change(make_record, write_registry, reference):
    past = (date.today() - timedelta(days=1)).isoformat()
    run_import(write_registry([make_record(portalId=4, datumPoskytovaniDo=past)]))
    run = run_import(write_registry([make_record(portalId=4)], name="reopened.json"))
    assert _changes(run) == [(RegistryChange.Kind.CHANGED, 4, "datumPoskytovaniDo", past, None)]


def test_unknown_codes_are_kept_raw_and_reported(make_record, write_registry, reference):
    record = make_record(portalId=5, druhSocialniSluzby={"id": "DruhSocialniSluzby/2"})
    record["formy"][0]["kapacity"][0]["typ"] = {"id": "TypKapacitySocialniSluzby/noci"}
    record["ciloveSkupiny"].append({"cilovaSkupina": {"id": "CilovaSkupinaOsoby/99"}})
    run = run_import(
        write_registry([record, make_record(portalId=6, druhSocialniSluzby={"id": "DruhSocialniSluzby/2"})])
    )

    assert run.unmapped == {
        "CilovaSkupinaOsoby/99": 1, "DruhSocialniSluzby/2": 2, "TypKapacitySocialniSluzby/noci": 1,
    }  # fmt: skip
    service = Service.objects.get(portal_id=5)
    assert service.kind is None and service.kind_code == "DruhSocialniSluzby/2"
    assert service.unmapped_codes == ["CilovaSkupinaOsoby/99", "DruhSocialniSluzby/2", "TypKapacitySocialniSluzby/noci"]
    capacity = service.forms.get().capacities.get()
    assert capacity.capacity_type is None and capacity.type_code == "TypKapacitySocialniSluzby/noci"
    assert list(service.target_groups.values_list("code", flat=True)) == ["24"]
    assert service.name == "Domov Lipová"


def test_codes_known_later_are_linked_on_the_next_import(make_record, write_registry, reference):
    path = write_registry([make_record(portalId=5, druhSocialniSluzby={"id": "DruhSocialniSluzby/31"})])
    run_import(path)
    ServiceKind.objects.create(code="31", name="sociálně terapeutické dílny", library=reference, category="care")

    run = run_import(path)

    service = Service.objects.get(portal_id=5)
    assert service.kind.code == "31" and service.unmapped_codes == []
    assert run.counts["relinked"] == 1 and run.unmapped == {} and not _changes(run)
    assert run_import(path).counts["unchanged"] == 1


def test_codelists_fill_missing_reference_rows(make_record, write_registry, reference, tmp_path):
    directory = tmp_path / "ciselniky"
    directory.mkdir()
    lists = {
        "druhy-socialni-sluzby.json": [("DruhSocialniSluzby/13", "domovy pro seniory"),
                                       ("DruhSocialniSluzby/31", "sociálně terapeutické dílny")],
        "cilove-skupiny-osoby.json": [("CilovaSkupinaOsoby/24", "senioři"), ("CilovaSkupinaOsoby/2", "děti")],
        "formy-soc-sluzby.json": [("FormaSocialniSluzby/pob", "pobytová")],
        "typy-kapacity-socialni-sluzby.json": [("TypKapacitySocialniSluzby/noci", "noclehy")],
    }  # fmt: skip
    for name, items in lists.items():
        document = {"polozky": [{"id": ref, "nazev": {"cs": label}} for ref, label in items]}
        (directory / name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    record = make_record(portalId=8, druhSocialniSluzby={"id": "DruhSocialniSluzby/31"})
    record["ciloveSkupiny"].append({"cilovaSkupina": {"id": "CilovaSkupinaOsoby/2"}})
    path = write_registry([record])

    dry = run_import(path, codelists=directory, dry_run=True)
    assert dry.unmapped == {} and not ServiceKind.objects.filter(code="31").exists()

    run = run_import(path, codelists=directory)

    assert run.unmapped == {} and run.counts["reference_added"] == 3
    kind = ServiceKind.objects.get(code="31")
    assert kind.name == "sociálně terapeutické dílny" and not kind.verified
    assert kind.library.urn == "urn:qmss:registry:mpsv-codelists"
    assert TargetGroup.objects.get(code="2").name == "děti"
    assert ServiceKind.objects.get(code="13").name == "domovy pro seniory"  # existing rows untouched
    service = Service.objects.get(portal_id=8)
    assert service.kind == kind and sorted(service.target_groups.values_list("code", flat=True)) == ["2", "24"]
    assert ReferenceLibrary.objects.filter(urn="urn:qmss:registry:mpsv-codelists").count() == 1


def test_places_resolve_from_the_municipality_or_the_region(make_record, write_registry, reference, small_territory):
    record = make_record(portalId=9)
    second = json.loads(json.dumps(record["zarizeni"][0]))
    second["adresa"]["obec"] = {"id": "Obec/999999"}  # unknown municipality, known region
    second["nazev"] = "Pobočka"
    record["zarizeni"].append(second)
    record["zarizeni"].append({"nazev": "Utajená adresa", "adresa": None})
    run_import(write_registry([record]))

    known, unknown, secret = Facility.objects.order_by("position")
    assert known.municipality == small_territory and known.region == small_territory.region
    assert known.latitude == small_territory.latitude and known.coordinates_approximate
    assert (known.street, known.house_number, known.orientation_number) == ("Lipová", "125", "3")
    assert unknown.municipality is None and unknown.municipality_code == "999999"
    assert unknown.region == small_territory.region and unknown.latitude is None
    assert secret.secret_address and secret.region is None and secret.municipality_code == ""


def test_providers_are_upserted_by_ico(make_record, write_registry, reference):
    first = make_record(portalId=10)
    run_import(write_registry([first, make_record(portalId=11)]))
    provider = Provider.objects.get()
    assert provider.ico == "12345678" and provider.name == "Domov Lipová, p. o."
    assert provider.websites == ["www.lipova.test"] and provider.phones == ["+420 111 222 333"]
    assert provider.search_name == "domov lipova, p. o."

    renamed = make_record(portalId=10)
    renamed["poskytovatel"]["nazev"] = "Domov Lipová, z. ú."
    renamed["poskytovatel"]["pravniForma"] = {"nazev": "Ústav"}
    renamed["poskytovatel"]["ico"] = 12345678
    run = run_import(write_registry([renamed, renamed | {"portalId": 11}], name="renamed.json"))

    provider = Provider.objects.get()
    assert provider.name == "Domov Lipová, z. ú." and provider.legal_form == "Ústav"
    assert run.counts["changed"] == 2 and {c[2] for c in _changes(run)} == {
        "poskytovatel.nazev", "poskytovatel.pravniForma",
    }  # fmt: skip


def test_short_ico_keeps_leading_zeros(make_record, write_registry, reference):
    record = make_record(portalId=12)
    record["poskytovatel"]["ico"] = "3593207"
    run_import(write_registry([record]))
    assert Provider.objects.get().ico == "03593207"


def test_statutory_bodies_and_facility_heads_are_never_stored(make_record, write_registry, reference):
    record = make_record(portalId=13)
    record["poskytovatel"]["statutarniOrgany"] = [{"jmeno": "Jan", "prijmeni": "Tajnýstatutár"}]
    record["zarizeni"][0]["vedouci"] = {"jmeno": "Eva", "prijmeni": "Tajnávedoucí"}
    record["zarizeni"][0]["osoby"] = [{"jmeno": "Petr", "prijmeni": "Tajnáosoba"}]
    run_import(write_registry([record]))
    assert Service.objects.count() == 1

    secrets = ("Tajnýstatutár", "Tajnávedoucí", "Tajnáosoba")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 – table names only
            for row in cursor.fetchall():
                text = json.dumps([str(value) for value in row], ensure_ascii=False)
                for secret in secrets:
                    assert secret not in text and secret.encode("unicode_escape").decode() not in text, table
    snapshot = json.dumps(Service.objects.get().snapshot, ensure_ascii=False)
    assert "statutarniOrgany" not in snapshot and "vedouci" not in snapshot and "Jan" not in snapshot


def test_progress_is_reported_every_200_records_and_at_the_end(make_record, write_registry, reference):
    path = write_registry([make_record(portalId=n) for n in range(1, 451)])
    calls = []
    run = run_import(path, progress=lambda *args: calls.append(args))
    size = path.stat().st_size
    assert [records for _b, _t, records in calls] == [200, 400, 450]
    assert calls[-1] == (size, size, 450) and all(total == size for _b, total, _r in calls)
    assert run.processed_bytes == size and run.processed_records == 450 and run.total_bytes == size


def test_user_is_recorded(make_record, write_registry, reference, admin_user):
    run = run_import(write_registry([make_record()]), user=admin_user)
    run.refresh_from_db()
    assert run.user == admin_user and run.source.endswith("rpss.json") and not run.dry_run


def test_provider_values_absent_from_a_record_are_kept(make_record, write_registry, reference):
    run_import(write_registry([make_record(portalId=14)]))
    bare = make_record(portalId=15)
    bare["poskytovatel"] = {"ico": "12345678", "nazev": "Domov Lipová, p. o."}
    path = write_registry([make_record(portalId=14), bare], name="bare.json")
    run_import(path)
    provider = Provider.objects.get()
    assert provider.websites == ["www.lipova.test"] and provider.emails == ["info@lipova.test"]
    second = run_import(path)
    assert second.counts["providers_updated"] == 0 and second.counts["unchanged"] == 2


def test_statutory_bodies_appear_in_no_page_export_or_api(make_record, write_registry, reference, admin_user):
    from django.test import Client

    record = make_record(portalId=14)
    record["poskytovatel"]["statutarniOrgany"] = [{"jmeno": "Jan", "prijmeni": "Tajnýstatutár"}]
    run_import(write_registry([record]))
    service = Service.objects.get()
    client = Client()
    client.force_login(admin_user)
    urls = [
        "/registr/",
        service.get_absolute_url(),
        service.provider.get_absolute_url(),
        "/registr/export/csv/?stav=vse",
        "/registr/export/xlsx/?stav=vse",
        "/api/v1/services",
        f"/api/v1/services/{service.portal_id}",
        f"/api/v1/providers/{service.provider.ico}",
        f"/overeni-registrace/?q={service.provider.ico}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith("xlsx/?stav=vse"):
            import io

            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(body), read_only=True).active
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            body = json.dumps(rows, ensure_ascii=False, default=str).encode()
        assert "Tajnýstatutár".encode() not in body, url
        assert service.provider.ico.encode() in body or url == "/registr/", url
