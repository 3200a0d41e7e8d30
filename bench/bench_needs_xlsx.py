"""Checking an uploaded XLSX template of a data-collection round: one provider with 700 services in an open
round, in both layouts (one sheet per service: a header block and ~46 rows each; one tidy sheet).

- ``collection_xlsx_validate``: ``actions_xlsx.check_workbook`` – read the submissions the provider may fill (the
  blocks), parse the workbook (python-calamine), check every sheet, row signature and value; nothing is saved.
  The issue's target is ABSOLUTE: at most 3 s. The baseline is a bare openpyxl read of the same file (read-only,
  every cell of every sheet iterated), as the issue asks, so ``ratio`` < 1 means the whole check is faster than
  openpyxl merely reading the file. The figure is measured on the heavier layout, one sheet per service (the
  default download: 701 sheets); the tidy layout is measured once and printed on a comment line.

Setup (~30–60 s): the needs libraries, a region with 12 ORPs, 700 services of one provider bulk-created
(services, forms, capacities, facilities), a synthetic open round filled with plausible values
(``qmss.needs.demo.generate_round``), the workbook built by the download's own code.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from datetime import date

from bench.common import BenchResult

SERVICES = 700
TARGET_SECONDS = 3.0


def _services(provider, region, count: int) -> list:
    from qmss.registry.models import Capacity, Facility, Service, ServiceForm
    from qmss.registry.models.registered import name_sort_key
    from qmss.registry.testing import make_capacity_type, make_delivery_form, make_kind

    plans = [("13", "pob", "luzka", 60), ("4", "ter", "klient", 120), ("29", "amb", "klient", 40)]
    kinds = {code: make_kind(code) for code, *_ in plans}
    forms = {code: make_delivery_form(code) for _, code, *_ in plans}
    types = {code: make_capacity_type(code) for *_, code, _n in plans}
    services = []
    for i in range(count):
        kind, _form, _type, _size = plans[i % len(plans)]
        name = f"Služba {i:04d} {kinds[kind].name}"
        services.append(
            Service(
                portal_id=9_000_000 + i,
                identifier=f"{7_000_000 + i:07d}",
                provider=provider,
                kind=kinds[kind],
                kind_code=f"DruhSocialniSluzby/{kind}",
                name=name,
                name_sort=name_sort_key(name),
                date_from=date(2015, 1, 1),
                snapshot={},
                fingerprint=f"{i:064d}",
            )
        )
    Service.objects.bulk_create(services, batch_size=500)
    services = list(Service.objects.filter(provider=provider).order_by("portal_id"))
    service_forms = [
        ServiceForm(service=s, form=forms[plans[i % 3][1]], form_code=f"FormaSocialniSluzby/{plans[i % 3][1]}")
        for i, s in enumerate(services)
    ]
    ServiceForm.objects.bulk_create(service_forms, batch_size=500)
    by_service = {sf.service_id: sf for sf in ServiceForm.objects.filter(service__provider=provider)}
    Capacity.objects.bulk_create(
        [
            Capacity(
                service_form=by_service[s.pk],
                capacity_type=types[plans[i % 3][2]],
                type_code=f"TypKapacitySocialniSluzby/{plans[i % 3][2]}",
                count=plans[i % 3][3] + i % 17,
            )
            for i, s in enumerate(services)
        ],
        batch_size=500,
    )
    Facility.objects.bulk_create(
        [Facility(service=s, position=0, name=s.name, region=region) for s in services], batch_size=500
    )
    return services


def _build():
    from qmss.core.roles import OrganisationKind, Role
    from qmss.needs.demo import generate_round
    from qmss.needs.models import CollectionRound
    from qmss.needs.testing_taxonomy import make_taxonomy_and_template
    from qmss.registry.testing import link_verified, make_provider
    from qmss.testing.factories import make_municipality, make_org, make_region, make_user

    taxonomy, template = make_taxonomy_and_template()
    region = make_region("CZ0XB", "Kraj XLSX")
    for i in range(12):
        make_municipality(region, name=f"Obec {i}")
    region_org = make_org(OrganisationKind.REGION, "Krajský úřad XLSX", region=region)
    provider_org = make_org(OrganisationKind.PROVIDER, "Poskytovatel XLSX", region=region)
    provider = make_provider("Poskytovatel XLSX", ico="77700001")
    link_verified(provider_org, provider)
    editor = make_user("bench-xlsx-editor", org=provider_org, role=Role.EDITOR)
    services = _services(provider, region, SERVICES)
    round = generate_round(
        organisation=region_org,
        region=region,
        services=services,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        deadline=date(2099, 1, 31),
        state=CollectionRound.State.OPEN,
        seed="bench-xlsx",
        template=template,
        taxonomy=taxonomy,
    )
    return round, editor


def _bare_read(content: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for _value in row:
                cells += 1
    workbook.close()
    return cells


def _median(fn, repeat: int = 3) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _measure(scope, round, blocks, layout: str, *, repeat: int) -> dict:
    """Build the workbook of ``layout``; time the check (after a warm-up) and a bare read of the same file."""
    from django.conf import settings

    from qmss.needs import actions_xlsx, xlsx

    build_start = time.perf_counter()
    content = xlsx.build_workbook(
        round_id=round.pk, round_name=round.name, blocks=blocks, layout=layout, secret=settings.SECRET_KEY
    )
    build_seconds = time.perf_counter() - build_start

    def validate():
        _blocks, parsed = actions_xlsx.check_workbook(scope=scope, round=round, data=content)
        if parsed.errors:
            raise RuntimeError(f"the unchanged {layout} workbook was refused: {parsed.errors[:3]}")
        if len(parsed.values) != SERVICES:
            raise RuntimeError(f"{len(parsed.values)} services read from the {layout} workbook, not {SERVICES}")
        return parsed

    validate()  # warm-up
    value, value_cpu, _parsed = _median(validate, repeat)
    baseline, baseline_cpu, cells = _median(lambda: _bare_read(content), repeat)
    print(
        f"# collection_xlsx_validate [{layout}]: {SERVICES} services, {cells} cells, {len(content) // 1024} KiB, "
        f"built in {build_seconds:.1f} s; median of {repeat}: check {value:.2f} s wall / {value_cpu:.2f} s CPU, "
        f"bare openpyxl read {baseline:.2f} s wall / {baseline_cpu:.2f} s CPU, ratio {value / baseline:.2f} "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
        flush=True,
    )
    return {"value": value, "baseline": baseline}


def run() -> list[BenchResult]:
    """Everything in one transaction that is rolled back (the next benches find the database as it was)."""
    from django.db import transaction

    with transaction.atomic():
        try:
            return _run()
        finally:
            transaction.set_rollback(True)


def _run() -> list[BenchResult]:
    from qmss.core.scoping import Scope
    from qmss.needs import selectors_xlsx, xlsx

    started = time.perf_counter()
    round, editor = _build()
    scope = Scope.for_user(editor)
    setup_seconds = time.perf_counter() - started
    blocks_seconds, _cpu, blocks = _median(
        lambda: selectors_xlsx.service_blocks(selectors_xlsx.fillable_submissions(scope, round)), 1
    )
    rows = sum(len(block.rows) for block in blocks)
    print(
        f"# collection_xlsx_validate: {len(blocks)} services, {rows} value rows; data set up in "
        f"{setup_seconds:.1f} s; reading the submissions and their values (part of the check) "
        f"{blocks_seconds:.2f} s; absolute target {TARGET_SECONDS:g} s",
        flush=True,
    )
    # The figure is the heavier layout (one sheet per service, the default download); the tidy one for reference.
    _measure(scope, round, blocks, xlsx.LAYOUT_TIDY, repeat=1)
    figure = _measure(scope, round, blocks, xlsx.LAYOUT_SHEETS, repeat=3)
    return [
        BenchResult(
            "collection_xlsx_validate",
            figure["value"],
            "s",
            figure["baseline"],
            "s",
            TARGET_SECONDS / figure["baseline"] if figure["baseline"] else 0,
            f"<={TARGET_SECONDS:g}s",
            target_value=TARGET_SECONDS,
        )
    ]
