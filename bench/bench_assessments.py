"""Assessment report and page speed, measured on a full SQSS audit: 48 criteria with results and comments,
40 findings and 30 evidence items (two versions each).

- ``audit_pdf``: ``render_pdf(report_data(assessment))`` – read everything and print the PDF with WeasyPrint
  (median wall-clock time of 5 after one warm-up render that loads fontconfig/Pango). The issue's target is
  ABSOLUTE: at most 2 s. To fit the value/baseline line it is reported with a fixed baseline of 2 s, so
  ``ratio`` = seconds / 2 and the target is ``<=1x``. Being absolute, it depends on the machine and its load:
  the comment line also gives the CPU time and the load average.
- ``assessment_page``: the assessment detail page (``assessments:detail``) through Django's test client as a
  superuser, vs. a trivial ``/healthz`` request. Target: at most 60x. Skipped while the URL does not resolve.
"""

from __future__ import annotations

import io
import os
import statistics
import time

from bench.common import BenchResult, timeit

PDF_TARGET_SECONDS = 2.0
PAGE_TARGET_RATIO = 60.0


def _build():
    from django.contrib.auth import get_user_model

    from qmss.assessments.reports.testing import make_report_assessment, sqss_framework

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True, "first_name": "Bench"}
    )
    assessment = make_report_assessment(framework=sqss_framework(), findings=40, evidence=30, user=user)
    return assessment, user


def _pdf_figure(assessment) -> BenchResult:
    from pypdf import PdfReader

    from qmss.assessments.reports.data import report_data
    from qmss.assessments.reports.pdf import render_pdf

    content = render_pdf(report_data(assessment))  # warm-up: fontconfig, Pango, template loading
    walls, cpus = [], []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        render_pdf(report_data(assessment))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    value = statistics.median(walls)
    data = report_data(assessment)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    print(
        f"# audit_pdf: {len(data.criteria)} criteria, {len(data.findings)} findings, {len(data.evidence)} evidence, "
        f"{pages} pages, {len(content) // 1024} KiB; median of 5: wall {value:.2f} s, "
        f"CPU {statistics.median(cpus):.2f} s (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs); "
        f"absolute target {PDF_TARGET_SECONDS:g} s",
        flush=True,
    )
    return BenchResult("audit_pdf", value, "s", PDF_TARGET_SECONDS, "s", 1.0, "<=1x")


def _page_figure(assessment, user) -> BenchResult | None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("assessments:detail", kwargs={"assessment_pk": assessment.pk})
    except NoReverseMatch:
        print("BENCH assessment_page skipped: the URL assessments:detail does not resolve", flush=True)
        return None
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered HTTP {response.status_code}")
    if client.get("/healthz").status_code != 200:
        raise RuntimeError("/healthz did not answer 200")
    baseline = timeit(lambda: client.get("/healthz"), repeat=21)
    value = timeit(lambda: client.get(url), repeat=11)
    print(f"# assessment_page: {url} ({len(response.content) // 1024} KiB)", flush=True)
    return BenchResult("assessment_page", value, "s", baseline, "s", PAGE_TARGET_RATIO, f"<={PAGE_TARGET_RATIO:g}x")


def run() -> list[BenchResult]:
    from django.db import transaction

    # Everything happens in one transaction that is rolled back: the other bench modules share the database,
    # and a registry import must not meet services that this audit protects.
    with transaction.atomic():
        try:
            assessment, user = _build()
            results = [_pdf_figure(assessment)]
            page = _page_figure(assessment, user)
            if page is not None:
                results.append(page)
        finally:
            transaction.set_rollback(True)
    return results
