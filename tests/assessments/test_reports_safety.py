"""The assessment report is safe against hostile text (issue #8, findings 2 and 3).

- PDF: a title or organisation name that tries to leave the CSS string of the page header (``\\r``, ``\\f``,
  ``</style>``) fetches nothing: the PDF holds no image and prints the text as text.
- XLSX: the title and the findings starting with ``=``, ``+``, ``-``, ``@`` are text cells with a quote prefix.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.reports.data import report_data
from qmss.assessments.reports.pdf import render_pdf
from qmss.assessments.reports.testing import make_report_assessment
from qmss.assessments.reports.xlsx import render_xlsx, sheet_titles
from qmss.core.models import Organisation
from qmss.testing.pdf import pdf_image_count, pdf_text, recorded_url_opens, secret_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_url():
    """A short file:// URL (the page header is cut at 110 characters) of an image that must never be fetched."""
    handle, name = tempfile.mkstemp(prefix="qs", suffix=".png", dir="/tmp")
    os.close(handle)
    yield secret_png(Path(name))
    os.unlink(name)


@pytest.mark.parametrize("breakout", ["\r", "\f", "</style><img src='{url}'><style>"])
def test_report_pdf_with_hostile_title_fetches_nothing(secret_url, breakout):
    payload = "X" + breakout.format(url=secret_url) + f";}}}}body{{background-image:url({secret_url})}}"
    assessment = make_report_assessment(findings=1, evidence=1)
    Assessment.objects.filter(pk=assessment.pk).update(title=payload)
    Organisation.objects.filter(pk=assessment.organisation_id).update(name=payload)
    data = report_data(assessment)
    with recorded_url_opens() as opened:
        content = render_pdf(data)
    assert opened == [], f"WeasyPrint opened {opened} for {payload!r}"
    assert pdf_image_count(content) == 0
    text = pdf_text(content, squeeze=True)
    assert "background-image" in text  # printed as text
    assert re.search(r"Strana\d+z\d+", text), "the footer's CSS was broken"
    if "<" not in breakout:
        assert ".png)}·Domov" in text, "the page header's CSS was broken"


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", '=HYPERLINK("http://x.test")'])
def test_report_xlsx_writes_formula_like_text_as_text(value):
    assessment = make_report_assessment(findings=2, evidence=1)
    Assessment.objects.filter(pk=assessment.pk).update(title=value)
    Finding.objects.filter(result__assessment=assessment).update(text=value)
    workbook = load_workbook(io.BytesIO(render_xlsx(report_data(assessment))))
    summary, _criteria, findings, _evidence = (workbook[name] for name in sheet_titles())
    for cell in [summary["A1"], *findings["D"][1:]]:
        assert cell.value == value and cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
