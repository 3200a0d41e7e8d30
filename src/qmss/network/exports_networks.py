"""The annex of a network version (příloha – the list of services in the network in the shape regions publish it):
provider, IČO, service identifier, kind, delivery form(s), capacity and unit, territory (ORP names), tier and
financing category; one row per entry. XLSX and CSV, every value through :mod:`qmss.core.cells`."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.network import defaults_networks as defaults
from qmss.network.models import Network, NetworkVersion
from qmss.network.selectors_networks import network_orps, version_entries
from qmss.registry.models import ServiceForm

FORMATS = ("xlsx", "csv")


def headers() -> list[str]:
    return [
        _("Provider"),
        _("Provider ID (IČO)"),
        _("Service identifier"),
        _("Kind of service"),
        _("Form of delivery"),
        _("Capacity"),
        _("Unit"),
        _("Territory (ORP)"),
        _("Tier"),
        _("Financing category"),
    ]


def _number(value):
    """A whole capacity as a whole number (40, not 40.00); a fractional one as it is."""
    return int(value) if value == value.to_integral_value() else value


def annex_rows(network: Network, version: NetworkVersion) -> Iterator[list]:
    """One row per entry of ``version`` (four queries whatever the number of entries)."""
    orp_names = {orp.ruian_code: orp.name for orp in network_orps(network)}
    unit_names = defaults.unit_names()
    financing = defaults.financing_names()
    forms = ServiceForm.objects.select_related("form").order_by("form_code")
    entries = version_entries(version).prefetch_related(Prefetch("service__forms", queryset=forms))
    for entry in entries:
        service = entry.service
        yield [
            service.provider.name,
            service.provider.ico,
            service.identifier,
            service.kind.name if service.kind_id else service.kind_code,
            ", ".join(str(form) for form in service.forms.all()),
            _number(entry.capacity),
            unit_names.get(entry.unit, entry.unit),
            ", ".join(orp_names.get(int(code), str(code)) for code in entry.orp_codes or []),
            entry.tier.name,
            financing.get(entry.financing_category, entry.financing_category),
        ]


def annex_xlsx(network: Network, version: NetworkVersion) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Network")[:31])
    bold = Font(bold=True)
    title = cells.cell(sheet, f"{network.name} – {_('version')} {version.number}")
    title.font = bold
    cells.append(sheet, [title])
    header = [cells.cell(sheet, text) for text in headers()]
    for cell in header:
        cell.font = bold
    cells.append(sheet, header)
    for row in annex_rows(network, version):
        cells.append(sheet, row, formats={6: cells.DECIMAL_FORMAT})
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annex_csv(network: Network, version: NetworkVersion) -> str:
    return "".join(cells.csv_lines(headers(), annex_rows(network, version)))
