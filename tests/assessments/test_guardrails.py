"""Guardrails of issue #9: publishing needs every criterion assessed or an explicit partial flag with a reason
(action, web and API), confirmation pages for publish / send back / deleting findings, the shared date-range rule
on assessment periods, only the audit body's people named as assessors, and score texts that say how many
criteria they are computed over."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from qmss.assessments import actions
from qmss.assessments.error_codes import AssessmentErrorCode as Code
from qmss.assessments.models import Assessment, Finding, Result
from qmss.assessments.reports import texts
from qmss.assessments.reports.data import report_data
from qmss.assessments.reports.pdf import render_pdf
from qmss.assessments.reports.xlsx import render_xlsx
from qmss.assessments.testing import criteria, make_assessment, make_finding, make_result
from qmss.core.validation import DATE_RANGE_CODE
from qmss.testing.queries import assert_constant_queries
from tests.assessments.conftest import scope_of

Kind, State = Assessment.Kind, Assessment.State
REASON = "Kontrola zaměřená jen na standardy 1 a 2"


def _refs(framework, n: int) -> list[str]:
    return [r.ref_id for r in criteria(framework)[:n]]


def review_audit(world, assessed: int = 8, value: str = "2") -> Assessment:
    """An audit in review by the world's audit body, with ``assessed`` of the 48 criteria assessed."""
    return make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_REVIEW,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill=dict.fromkeys(_refs(world.framework, assessed), value),
        title="Audit Domova U Lip",
    )


def url(name: str, assessment: Assessment, **kwargs) -> str:
    return reverse(f"assessments:{name}", kwargs={"assessment_pk": assessment.pk, **kwargs})


def publish(world, audit, **options) -> Assessment:
    return actions.transition(
        scope=scope_of(world.auditor), assessment=audit, to_state=State.PUBLISHED, user=world.auditor, **options
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None)


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- publishing: the rule in the action ------------------------------------------------------------------------


def test_publishing_an_incomplete_audit_is_refused_naming_how_many_are_missing(world):
    audit = review_audit(world, assessed=8)
    with pytest.raises(ValidationError) as caught:
        publish(world, audit)
    assert caught.value.code == Code.INCOMPLETE.value
    assert "40" in caught.value.messages[0] and "48" in caught.value.messages[0]
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW and audit.published_at is None and not audit.partial


def test_a_partial_publication_needs_a_reason(world):
    audit = review_audit(world, assessed=8)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            publish(world, audit, partial=True, partial_reason=reason)
        error = caught.value.error_dict["partial_reason"][0]
        assert error.code == Code.PARTIAL_REASON_REQUIRED.value
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_a_partial_publication_with_a_reason_is_stored(world):
    audit = publish(world, review_audit(world, assessed=8), partial=True, partial_reason=f"  {REASON} ")
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED and audit.partial and audit.partial_reason == REASON


def test_a_complete_assessment_is_never_marked_partial(world):
    audit = publish(world, review_audit(world, assessed=48), partial=True, partial_reason="zbytečné")
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED and not audit.partial and audit.partial_reason == ""


def test_criteria_that_do_not_apply_count_as_assessed_and_unanswered_ones_do_not(world):
    audit = review_audit(world, assessed=47)
    last = criteria(world.framework)[47]
    Result.objects.create(assessment=audit, requirement=last, value=None)  # a result row without a value
    with pytest.raises(ValidationError):
        publish(world, audit)
    make_result(audit, last.ref_id, "na")  # "does not apply" is an answer
    assert publish(world, audit).state == State.PUBLISHED


def test_self_assessments_and_inspections_follow_the_same_rule(world):
    editor = world.provider_editor
    own = make_assessment(world.provider, service=world.service, framework=world.framework, state=State.IN_REVIEW)
    with pytest.raises(ValidationError):
        actions.transition(scope=scope_of(editor), assessment=own, to_state=State.PUBLISHED, user=editor)
    inspection = make_assessment(world.provider, kind=Kind.INSPECTION, framework=world.framework)
    with pytest.raises(ValidationError):
        actions.transition(scope=scope_of(editor), assessment=inspection, to_state=State.PUBLISHED, user=editor)


# --- the API goes through the same action ------------------------------------------------------------------------


def test_api_refuses_an_incomplete_publication_and_accepts_a_partial_one(world):
    audit = review_audit(world, assessed=8)
    client = world.client(world.auditor)
    api = f"/api/v1/assessments/{audit.pk}/transition"
    response = client.post(api, json.dumps({"to_state": "published"}), content_type="application/json")
    assert response.status_code == 400 and response.json()[0]["code"] == Code.INCOMPLETE.value
    response = client.post(api, json.dumps({"to_state": "published", "partial": True}), content_type="application/json")
    assert response.status_code == 400 and response.json()[0]["field"] == "partial_reason"
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW
    body = json.dumps({"to_state": "published", "partial": True, "partial_reason": REASON})
    response = client.post(api, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["partial"] is True
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED and audit.partial_reason == REASON
    detail = client.get(f"/api/v1/assessments/{audit.pk}").json()
    assert detail["partial"] is True and detail["partial_reason"] == REASON


def test_api_transition_needs_login_csrf_and_the_right_role(world):
    audit = review_audit(world, assessed=48)
    api = f"/api/v1/assessments/{audit.pk}/transition"
    body = json.dumps({"to_state": "published"})
    assert Client().post(api, body, content_type="application/json").status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.auditor)
    assert strict.post(api, body, content_type="application/json").status_code == 403
    assert world.client(world.provider_editor).post(api, body, content_type="application/json").status_code == 403
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


# --- confirmation pages -----------------------------------------------------------------------------------------


def test_the_assessment_page_links_publish_and_send_back_to_their_confirmation_pages(world):
    audit = review_audit(world)
    body = world.client(world.auditor).get(audit.get_absolute_url()).content.decode()
    assert f'class="button button--primary" href="{url("publish", audit)}"' in body
    assert f'class="button button--danger" href="{url("send_back", audit)}"' in body
    assert 'value="published"' not in body  # no direct publish button


def test_posting_publish_to_the_workflow_url_only_leads_to_the_confirmation(world):
    audit = review_audit(world, assessed=48)
    response = world.client(world.auditor).post(url("transition", audit), {"to_state": State.PUBLISHED})
    assert response.status_code == 302 and response["Location"] == url("publish", audit)
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_publish_confirmation_get_shows_the_summary_and_never_acts(world):
    audit = review_audit(world, assessed=8)
    client = world.client(world.auditor)
    response = client.get(url("publish", audit))
    assert response.status_code == 200
    text = page_text(response)
    assert audit.title in text and world.audit_body.name in text
    assert 'name="partial"' in text and 'name="partial_reason"' in text
    assert "button button--primary" in text and 'name="confirm"' in text
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW
    # a POST without the confirmation field changes nothing either
    client.post(url("publish", audit), {"partial": "on", "partial_reason": REASON})
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_publish_confirmation_refuses_an_incomplete_audit_and_says_why(world):
    audit = review_audit(world, assessed=8)
    client = world.client(world.auditor)
    response = client.post(url("publish", audit), {"confirm": "1"})
    assert response.status_code == 200
    assert "40" in page_text(response) and "error-summary" in page_text(response)
    response = client.post(url("publish", audit), {"confirm": "1", "partial": "on", "partial_reason": ""})
    assert response.status_code == 200 and "field--error" in response.content.decode()
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW
    response = client.post(url("publish", audit), {"confirm": "1", "partial": "on", "partial_reason": REASON})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED and audit.partial and audit.partial_reason == REASON


def test_a_complete_audit_is_published_with_one_confirmation(world):
    audit = review_audit(world, assessed=48)
    client = world.client(world.auditor)
    page = client.get(url("publish", audit)).content.decode()
    assert 'name="partial"' not in page
    assert client.post(url("publish", audit), {"confirm": "1"}).status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED and not audit.partial


def test_send_back_confirmation(world):
    audit = review_audit(world)
    client = world.client(world.auditor)
    response = client.get(url("send_back", audit))
    assert response.status_code == 200 and "button button--danger" in response.content.decode()
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW
    assert client.post(url("send_back", audit), {"confirm": "1"}).status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.IN_PROGRESS
    # in progress there is nothing to send back: the page sends the user back to the assessment
    assert client.get(url("send_back", audit)).status_code == 302


def test_confirmation_pages_refuse_whoever_may_not_make_the_move(world):
    audit = review_audit(world, assessed=48)
    for user in (world.provider_editor, world.provider_reader):
        client = world.client(user)
        for name in ("publish", "send_back"):
            assert client.get(url(name, audit)).status_code == 403
            assert client.post(url(name, audit), {"confirm": "1"}).status_code == 403
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_finding_delete_confirmation(world):
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill={"1a": "1"},
    )
    finding = make_finding(audit.results.get(), kind=Finding.Kind.MAJOR, text="Chybí směrnice o stížnostech")
    delete_url = url("finding_delete", audit, finding_pk=finding.pk)
    client = world.client(world.auditor)
    detail = client.get(audit.get_absolute_url()).content.decode()
    assert f'class="link-danger" href="{delete_url}"' in detail
    response = client.get(delete_url)
    assert response.status_code == 200
    text = page_text(response)
    assert "Chybí směrnice o stížnostech" in text and "1a" in text and "button button--danger" in text
    assert Finding.objects.filter(pk=finding.pk).exists()
    client.post(delete_url)  # without the confirmation field: nothing happens
    assert Finding.objects.filter(pk=finding.pk).exists()
    assert world.client(world.provider_reader).post(delete_url, {"confirm": "1"}).status_code == 403
    assert client.post(delete_url, {"confirm": "1"}).status_code == 302
    assert not Finding.objects.filter(pk=finding.pk).exists()


def test_publish_confirmation_page_is_constant_in_queries(world):
    audit = review_audit(world, assessed=1)
    client = world.client(world.auditor)
    refs = _refs(world.framework, 48)

    def grow(n):
        for ref in refs[Result.objects.filter(assessment=audit).count() : n]:
            make_result(audit, ref, "2")

    assert_constant_queries(
        lambda: client.get(url("publish", audit)),
        grow,
        count=Result.objects.filter(assessment=audit),
        small=1,
        large=40,
        max_queries=20,
        rows=None,
    )


# --- the partial flag shown on the report page, in the PDF and in the XLSX -------------------------------------------


def test_partial_reason_is_shown_on_the_page_in_the_pdf_and_in_the_xlsx(world):
    audit = publish(world, review_audit(world, assessed=8), partial=True, partial_reason=REASON)
    with translation.override("cs"):
        expected = texts.partial_text(Kind.AUDIT, 8, 48, REASON)
        data = report_data(audit)
        assert data.partial_text == expected
        pdf = pdf_text(render_pdf(data))
        xlsx = xlsx_text(render_xlsx(data))
    assert REASON in pdf and "8" in expected and "48" in expected
    assert expected in xlsx
    for user in (world.auditor, world.provider_reader, world.region_manager):
        body = page_text(world.client(user).get(audit.get_absolute_url()))
        assert expected in body, user
    complete = publish(world, review_audit(world, assessed=48))
    with translation.override("cs"):
        assert report_data(complete).partial_text == ""
    assert "partial-notice" not in world.client(world.auditor).get(complete.get_absolute_url()).content.decode()


# --- the date-range rule on the assessment period ---------------------------------------------------------------


def test_assessment_period_ending_before_it_starts_is_refused_by_the_action(world):
    editor = world.provider_editor
    with pytest.raises(ValidationError) as caught:
        actions.create_assessment(
            scope=scope_of(editor),
            organisation=world.provider,
            kind=Kind.SELF,
            user=editor,
            period_start=date(2026, 6, 1),
            period_end=date(2026, 1, 1),
        )
    assert caught.value.error_dict["period_end"][0].code == DATE_RANGE_CODE
    assert not Assessment.objects.exists()
    assessment = actions.create_assessment(
        scope=scope_of(editor), organisation=world.provider, kind=Kind.SELF, user=editor
    )
    with pytest.raises(ValidationError):
        actions.update_assessment(
            scope=scope_of(editor),
            assessment=assessment,
            user=editor,
            period_start=date(2026, 6, 1),
            period_end=date(2026, 5, 31),
        )
    assessment.refresh_from_db()
    assert assessment.period_start is None


def test_assessment_forms_show_the_period_error_on_the_end_field(world):
    client = world.client(world.provider_editor)
    response = client.post(
        reverse("assessments:create"),
        {
            "organisation": world.provider.pk,
            "kind": Kind.SELF,
            "period_start": "2026-06-01",
            "period_end": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period_end"]
    assert not Assessment.objects.exists()
    assessment = make_assessment(world.provider, framework=world.framework)
    response = client.post(
        url("edit", assessment), {"title": "X", "period_start": "2026-06-01", "period_end": "2026-01-01"}
    )
    assert response.status_code == 200 and response.context["form"].errors["period_end"]
    assessment.refresh_from_db()
    assert assessment.period_start is None


# --- assessors of an external audit -------------------------------------------------------------------------------


def test_the_pdf_of_an_audit_names_only_the_audit_bodys_people(world):
    admin, auditor = world.provider_admin, world.auditor
    admin.first_name, admin.last_name = "Jana", "Správcová"
    admin.save()
    auditor.first_name, auditor.last_name = "Petr", "Auditor"
    auditor.save()
    audit = actions.create_assessment(
        scope=scope_of(admin), organisation=world.provider, kind=Kind.AUDIT, service=world.service, user=admin
    )
    actions.invite_auditor(scope=scope_of(admin), assessment=audit, auditing_organisation=world.audit_body, user=admin)
    for ref in _refs(world.framework, 2):
        requirement = world.framework.requirements.get(ref_id=ref)
        actions.set_result(
            scope=scope_of(auditor),
            assessment=audit,
            requirement=requirement,
            value=requirement.framework.default_scale.values.get(key="2"),
            user=auditor,
        )
    make_result(audit, "3a", "2", updated_by=admin)  # even a result the provider's admin touched
    data = report_data(audit)
    assert data.assessors == ["Petr Auditor"]
    text = pdf_text(render_pdf(data))
    assert "Petr Auditor" in text and "Správcová" not in text
    # a self-assessment still names its own people
    own = make_assessment(world.provider, framework=world.framework, created_by=admin)
    assert report_data(own).assessors == ["Jana Správcová"]


# --- what a score is computed over ---------------------------------------------------------------------------------


def test_the_score_box_says_how_many_criteria_the_score_is_computed_over(world):
    assessment = make_assessment(
        world.provider,
        service=world.service,
        framework=world.framework,
        fill=dict.fromkeys(_refs(world.framework, 6), "2"),
    )
    body = page_text(world.client(world.provider_editor).get(assessment.get_absolute_url()))
    with translation.override("cs"):
        basis = texts.basis_text(texts.Basis(scored=6, assessed=6, total=48))
        data = report_data(assessment)
        score = data.score_text
        pdf = pdf_text(render_pdf(data))
    assert basis in body
    assert score == texts.score_text(12, 18, 12 / 18, texts.Basis(6, 6, 48))
    assert "12" in score and "18" in score and "66,7" in score and basis in score
    assert basis in pdf


def test_nothing_assessed_never_reads_zero_of_zero_points(world):
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework)
    body = page_text(world.client(world.provider_editor).get(assessment.get_absolute_url()))
    with translation.override("cs"):
        nothing = texts.nothing_assessed_text(texts.Basis(0, 0, 48))
        data = report_data(assessment)
        pdf = pdf_text(render_pdf(data))
        xlsx = xlsx_text(render_xlsx(data))
    assert nothing in body and "( %)" not in body and "0 z 0" not in body
    assert data.score_text == nothing
    assert nothing in pdf and "( %)" not in pdf and "0 z 0" not in pdf and "0 / 0" not in pdf
    assert nothing in xlsx


def test_publish_confirmation_says_who_newly_sees_the_results(world):
    """The provider publishing its own self-assessment is not told that "the provider" will see it."""
    own = make_assessment(world.provider, kind=Kind.SELF, service=world.service, framework=world.framework)
    own.state = State.IN_PROGRESS
    own.save()
    text = page_text(world.client(world.provider_admin).get(url("publish", own)))
    assert "uvidí je krajský úřad" in text and "poskytovatel i krajský úřad" not in text
    audit = review_audit(world, assessed=8)
    assert "poskytovatel i krajský úřad" in page_text(world.client(world.auditor).get(url("publish", audit)))
