"""Exports of a filtered list of services: XLSX (openpyxl, write-only) and CSV for Czech Excel (UTF-8 BOM, ";").

One row per service × delivery form × capacity type, with the capacity as a **number** in its own column (and the
capacity type beside it), so that a region can filter by type and sum; beds and clients are never in one cell. A
service's other columns repeat on each of its rows (the portal id tells the services apart); a service without a
registered capacity has one row with the capacity cells empty.

Only registry data that is public anyway; no personal data (statutory bodies are never stored).
Rows are read with ``iterator(chunk_size=2000)``, so a national export does not hold every row in memory.
Every value goes through :mod:`qmss.core.cells`: a text from the registry file that looks like a formula stays
text (an apostrophe in front in the CSV, a quote-prefixed string cell in the XLSX).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.registry import selectors, units
from qmss.registry.models import Service

CHUNK_SIZE = 2000
CSV_DELIMITER = ";"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers() -> list[str]:
    """Column headers in the active language (Czech for Czech users)."""
    return [
        _("Portal id"),
        _("Service identifier"),
        _("Name"),
        _("Kind of service"),
        _("Provider"),
        _("Company ID (IČO)"),
        _("Delivery form"),
        _("Capacity type"),
        _("Registered capacity"),
        _("Registered capacity (text)"),
        _("Municipalities"),
        _("ORP"),
        _("Region"),
        _("Registered from"),
        _("Registered until"),
        _("Status"),
    ]


def status_labels() -> dict[str, str]:
    return {"active": _("registered"), "ended": _("ended"), "future": _("not yet registered")}


def _kind(service: Service) -> str:
    if service.kind is None:
        return service.kind_code
    return str(service.kind)


CAPACITY_COLUMN = 9  # 1-based: the number column
CAPACITY_FORMAT = "#,##0"


def capacity_cells(service: Service) -> list[list]:
    """[form, capacity type, count, "40 lůžek"] per form and capacity type (at least one row per service)."""
    rows = []
    for service_form in service.forms.all():
        form_name = service_form.form.name if service_form.form else service_form.form_code
        capacities = list(service_form.capacities.all())
        for capacity in capacities:
            ctype = capacity.capacity_type
            type_name = ctype.name if ctype else units.type_code_of_text(capacity.type_code)
            label = units.capacity_label(capacity.count, ctype, fallback=capacity.type_code)
            rows.append([form_name, type_name, capacity.count, label])
        if not capacities:
            rows.append([form_name, None, None, None])
    return rows or [[None, None, None, None]]


def row_values(service: Service, labels: dict[str, str]) -> list[list]:
    """The export rows of a service whose forms and facilities (with territory) are prefetched."""
    facilities = list(service.facilities.all())
    municipalities = selectors.unique_values(
        f.municipality.name if f.municipality else f.municipality_code for f in facilities
    )
    orps = selectors.unique_values(f.municipality.orp.name for f in facilities if f.municipality)
    regions = selectors.unique_values(
        (f.region.name if f.region else f.municipality.region.name if f.municipality else "") for f in facilities
    )
    head = [service.portal_id, service.identifier, service.name, _kind(service), service.provider.name,
            service.provider.ico]  # fmt: skip
    tail = [
        "; ".join(municipalities),
        "; ".join(orps),
        "; ".join(regions),
        service.date_from,
        service.date_to,
        labels[selectors.status_of(service)],
    ]
    return [[*head, *capacity, *tail] for capacity in capacity_cells(service)]


def iter_rows(services: QuerySet[Service], labels: dict[str, str]) -> Iterator[list]:
    for service in services.iterator(chunk_size=CHUNK_SIZE):
        yield from row_values(service, labels)


def _filename(extension: str) -> str:
    return f"registr-socialnich-sluzeb-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(services: QuerySet[Service]) -> StreamingHttpResponse:
    header, labels = headers(), status_labels()  # translated now, not while the response streams
    response = StreamingHttpResponse(
        (
            line.encode("utf-8")
            for line in cells.csv_lines(header, iter_rows(services, labels), delimiter=CSV_DELIMITER)
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def write_xlsx(services: QuerySet[Service], target) -> int:
    """Write the workbook to the binary file ``target``; returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, labels = headers(), status_labels()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Services")[:31])
    sheet.freeze_panes = "A2"
    widths = [10, 12, 40, 40, 40, 11, 14, 14, 12, 22, 30, 20, 20, 12, 12, 14]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = [cells.cell(sheet, title) for title in header]
    for cell in header_cells:
        cell.font = bold
    cells.append(sheet, header_cells)
    count = 0
    for row in iter_rows(services, labels):
        cells.append(sheet, row, formats={CAPACITY_COLUMN: CAPACITY_FORMAT})
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    workbook.save(target)
    return count


def xlsx_response(services: QuerySet[Service]) -> FileResponse:
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 – FileResponse closes (and so removes) it
    write_xlsx(services, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_CONTENT_TYPE)
