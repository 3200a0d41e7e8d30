"""The development plan's exports are safe against hostile text (issue #8, findings 2 and 3).

- PDF: an organisation name or plan title that tries to break out of a CSS string (``\\r``, ``\\f``, newlines,
  quotes, backslashes, ``</style>``) must not make WeasyPrint fetch anything: here another tenant's evidence
  image under MEDIA_ROOT, through a ``file://`` URL. The PDF must hold no image and show the text as text.
- XLSX: titles, goals, names and review texts starting with ``=``, ``+``, ``-``, ``@``, tab or CR stay text.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from qmss.improvement import exports, selectors
from qmss.improvement.testing import make_action, make_plan
from qmss.testing.pdf import hostile_css_payloads, pdf_image_count, pdf_text, recorded_url_opens, secret_png

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("index", range(len(hostile_css_payloads(""))))
def test_plan_pdf_with_hostile_names_fetches_nothing(world, media_root, index):
    url = secret_png(media_root / "evidence" / "other-tenant" / "secret.png")
    payload = hostile_css_payloads(url)[index]
    world.provider.name = payload
    world.provider.save()
    plan = make_plan(world.provider, title=payload)
    make_action(plan, title=payload)
    with recorded_url_opens() as opened:
        content = exports.plan_pdf(plan, selectors.plan_actions(plan), date(2025, 1, 31))
    assert opened == [], f"WeasyPrint opened {opened} for {payload!r}"
    assert pdf_image_count(content) == 0, f"the PDF embeds a fetched image for {payload!r}"
    # The text is printed as text: the title as the heading, the name in the footer (a CSS string).
    text = pdf_text(content, squeeze=True)
    assert "secret.png" in text
    assert "1/1" in text and "QMSS·X" in text, "the footer's CSS was broken"


HOSTILE_CELLS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x.test","y")', "＝1+1"]


@pytest.mark.parametrize("value", HOSTILE_CELLS)
def test_plan_xlsx_writes_formula_like_text_as_text(world, value):
    world.provider.name = value
    world.provider.save()
    plan = make_plan(world.provider, title=value, goals=value)
    make_action(plan, title=value, review_text=value, deadline=date(2025, 3, 1))
    sheet = load_workbook(io.BytesIO(exports.plan_xlsx(plan, selectors.plan_actions(plan)))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    hostile = [cell for cell in cells if cell.value.lstrip("\t\r\n'").startswith(value.lstrip("\t\r")[:2])]
    assert len(hostile) >= 5  # title, organisation, goals, action title, review text
    for cell in hostile:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert cell.quotePrefix, (cell.coordinate, cell.value)  # stays text when edited in Excel
    # Real values keep their types: the deadline is a date, the row number a number.
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert datetime(2025, 3, 1) in values and 1 in values
