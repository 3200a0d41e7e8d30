"""Confidential fields in the change log (issue #8, finding 1).

An auditor records a working note, a rating, a comment and a finding on an audit still in progress. The audit
log keeps all of it, but the history views show a confidential value only to whom the live page shows it:

* working notes (``Assessment.internal_notes``, ``Result.internal_note``) – the assessors (the audit body's
  auditors) and superusers, before and after publication;
* results, ratings, comments and findings of an audit – hidden from the provider and the region until the
  audit is published.

The expectations below are written out by hand per role – they do not call the permission functions whose
rule they check.
"""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client

from qmss.assessments import actions
from qmss.assessments.models import Assessment, Finding, Result
from qmss.assessments.testing import criteria, make_assessment, make_evidence, scale_value
from qmss.core import confidential, history, selectors
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.testing.factories import make_user
from tests.conftest import ServiceWorld

NOTE = "POZNAMKA-K-AUDITU-7Q"
RESULT_NOTE = "POZNAMKA-KE-KRITERIU-7Q"
COMMENT = "KOMENTAR-AUDITORA-7Q"
RATING = "splněno výborně"  # the label of value 3 on the test scale ("3 – splněno výborně")
FINDING = "ZJISTENI-AUDITORA-7Q"
MEASURE = "OPATRENI-AUDITORA-7Q"
DEADLINE = date(2031, 7, 9)
EVIDENCE = "DOKLAD-PRIPOJENY-7Q"

P, R, AB = OrganisationKind.PROVIDER, OrganisationKind.REGION, OrganisationKind.AUDIT_BODY

# role key -> (tenant, organisation kind, role); "superuser" is separate.
ROLES = {
    "provider-admin": ("a", P, Role.ADMIN),
    "provider-editor": ("a", P, Role.EDITOR),
    "provider-reader": ("a", P, Role.READER),
    "region-admin": ("a", R, Role.ADMIN),
    "region-network-manager": ("a", R, Role.NETWORK_MANAGER),
    "region-editor": ("a", R, Role.EDITOR),
    "region-reader": ("a", R, Role.READER),
    "auditor": ("a", AB, Role.AUDITOR),
    "audit-body-admin": ("a", AB, Role.ADMIN),
    "audit-body-reader": ("a", AB, Role.READER),
    "other-provider-admin": ("b", P, Role.ADMIN),
    "other-auditor": ("b", AB, Role.AUDITOR),
    "other-region-manager": ("b", R, Role.NETWORK_MANAGER),
    "superuser": None,
}
PROVIDER_ROLES = {"provider-admin", "provider-editor", "provider-reader"}
REGION_ROLES = {"region-admin", "region-network-manager", "region-editor", "region-reader"}
ASSESSORS = {"auditor", "superuser"}

# Who may open the audit at all (its page and its history page), before / after publication.
OPENS_AUDIT = {
    False: PROVIDER_ROLES | ASSESSORS,
    True: PROVIDER_ROLES | REGION_ROLES | ASSESSORS,
}
# Who may read the provider's organisation log (its administrators).
READS_ORG_LOG = {"provider-admin", "superuser"}

# model, field, marker in the page (None: not a distinctive string), kind of confidentiality
NOTES, RESULTS = "notes", "results"
CONFIDENTIAL_FIELDS = [
    (Assessment, "internal_notes", NOTE, NOTES),
    (Result, "internal_note", RESULT_NOTE, NOTES),
    (Result, "value", RATING, RESULTS),
    (Result, "score", None, RESULTS),
    (Result, "comment", COMMENT, RESULTS),
    (Result, "evidence", None, RESULTS),
    (Finding, "kind", None, RESULTS),
    (Finding, "text", FINDING, RESULTS),
    (Finding, "measure", MEASURE, RESULTS),
    (Finding, "deadline", None, RESULTS),
]
FIELD_IDS = [f"{model.__name__}.{field}" for model, field, _m, _k in CONFIDENTIAL_FIELDS]


def may_see_field(role: str, kind: str, published: bool) -> bool:
    """The live rule, written out: notes for the assessors only; results for whoever opens the audit once it
    is published, for the assessors only before."""
    if kind == NOTES:
        return role in ASSESSORS
    return role in (OPENS_AUDIT[True] if published else ASSESSORS)


@pytest.fixture
def audit_world(tenant_a, tenant_b, framework):
    """An audit of tenant A's provider, in progress, with everything an auditor records on it."""
    world = ServiceWorld.build(tenant_a, framework)
    auditor = tenant_a.user(AB, Role.AUDITOR)
    scope = Scope.for_user(auditor)
    audit = make_assessment(
        world.provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_PROGRESS,
        service=world.service,
        framework=framework,
        auditing_organisation=tenant_a.orgs[AB],
        title="Audit Alfa 2026",
    )
    evidence = make_evidence(world.provider, title=EVIDENCE, store=False)
    actions.update_assessment(scope=scope, assessment=audit, user=auditor, internal_notes=NOTE)
    requirement = criteria(framework)[0]
    actions.set_result(
        scope=scope,
        assessment=audit,
        requirement=requirement,
        user=auditor,
        value=scale_value(framework, "3"),
        comment=COMMENT,
        internal_note=RESULT_NOTE,
        evidence_ids=[],
        uploaded_evidence=[evidence],  # as the result form links what the auditor uploads for the provider
    )
    actions.add_finding(
        scope=scope,
        assessment=audit,
        requirement=requirement,
        kind=Finding.Kind.MINOR,
        text=FINDING,
        measure=MEASURE,
        deadline=DEADLINE,
        user=auditor,
    )
    return {"tenants": {"a": tenant_a, "b": tenant_b}, "world": world, "audit": audit, "auditor": auditor}


def _user(audit_world, role: str):
    if role == "superuser":
        return make_user("koren-7q", is_superuser=True, is_staff=True)
    tenant, kind, role_name = ROLES[role]
    return audit_world["tenants"][tenant].user(kind, role_name)


def _publish(audit_world) -> None:
    audit, auditor = audit_world["audit"], audit_world["auditor"]
    scope = Scope.for_user(auditor)
    for state in (Assessment.State.IN_REVIEW, Assessment.State.PUBLISHED):
        partial = {"partial": True, "partial_reason": "Zkouška"} if state == Assessment.State.PUBLISHED else {}
        audit = actions.transition(scope=scope, assessment=audit, to_state=state, user=auditor, **partial)
    audit_world["audit"] = audit


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the pages (each test goes through every role; the comparison names the role and field that differ) ------


def _assessment_history(audit_world, role: str, published: bool) -> str:
    audit = audit_world["audit"]
    response = _client(_user(audit_world, role)).get(f"/historie/assessments.assessment/{audit.pk}/")
    if role not in OPENS_AUDIT[published]:
        assert response.status_code == 404, role
        return "404"
    assert response.status_code == 200, role
    page = response.content.decode()
    assert "Audit Alfa 2026" in page, role
    if NOTE in page:
        return "notes shown"
    assert 'class="diff-hidden"' in page, role  # the change is listed, its value is not
    return "notes hidden"


@pytest.mark.parametrize("published", [False, True], ids=["in-progress", "published"])
def test_assessment_history_page_shows_working_notes_only_to_assessors(audit_world, published):
    if published:
        _publish(audit_world)
    seen = {role: _assessment_history(audit_world, role, published) for role in ROLES}
    expected = {
        role: "404" if role not in OPENS_AUDIT[published] else "notes shown" if role in ASSESSORS else "notes hidden"
        for role in ROLES
    }
    assert seen == expected


def _organisation_log(audit_world, role: str) -> dict[str, bool] | int:
    provider = audit_world["world"].provider
    response = _client(_user(audit_world, role)).get(f"/organizace/{provider.pk}/historie/")
    if response.status_code != 200:
        return response.status_code
    page = response.content.decode()
    assert "Audit Alfa 2026" in page, role  # the audit itself is the provider's own
    return {f"{m.__name__}.{f}": marker in page for m, f, marker, _k in CONFIDENTIAL_FIELDS if marker}


@pytest.mark.parametrize("published", [False, True], ids=["in-progress", "published"])
def test_organisation_log_shows_confidential_values_only_to_whom_the_live_page_does(audit_world, published):
    if published:
        _publish(audit_world)
    seen = {role: _organisation_log(audit_world, role) for role in ROLES}
    expected = {
        role: {
            f"{m.__name__}.{f}": may_see_field(role, kind, published)
            for m, f, marker, kind in CONFIDENTIAL_FIELDS
            if marker
        }
        if role in READS_ORG_LOG
        else 403
        if role in PROVIDER_ROLES
        else 404
        for role in ROLES
    }
    assert seen == expected


def test_organisation_log_omits_entries_about_results_and_findings_of_an_unpublished_audit(audit_world):
    provider = audit_world["world"].provider
    page = _client(_user(audit_world, "provider-admin")).get(f"/organizace/{provider.pk}/historie/")
    entries = list(page.context["entries"])
    labels = {e.content_type.model for e in entries}
    assert "assessment" in labels and "evidence" in labels
    assert "result" not in labels and "finding" not in labels
    # and they are all in the audit log
    assert LogEntry.objects.filter(content_type__model__in=["result", "finding"]).count() >= 3


# --- the declaration, per field and role, on live objects and on log entries -----------------------------------


def _targets(audit, model):
    if model is Assessment:
        obj = audit
    elif model is Result:
        obj = audit.results.get()
    else:
        obj = Finding.objects.get(result__assessment=audit)
    entries = list(LogEntry.objects.get_for_object(obj))
    assert entries
    return obj, entries


def _field_verdicts(scope: Scope, audit: Assessment, model, field: str, marker: str | None) -> dict[str, bool]:
    """What ``scope`` sees of one confidential field: through the declaration on the live object, through
    ``redact``/``visible_fields``, and in the log entries as every history view shows them."""
    obj, entries = _targets(audit, model)
    shown = history.redacted_entries(scope, entries)
    verdicts = {
        "may_see_field": confidential.may_see_field(scope, obj, field),
        "visible_fields": field in confidential.visible_fields(scope, obj),
        "redact": confidential.redact(scope, obj, field) is not confidential.HIDDEN,
        "history": any(c.field == field and not c.hidden for e in shown for c in e.changes),
    }
    if marker:
        text = " ".join(f"{e.object_label} {c.old} {c.new}" for e in shown for c in e.changes)
        verdicts["history text"] = marker in text
    return verdicts


@pytest.mark.parametrize("published", [False, True], ids=["in-progress", "published"])
def test_each_confidential_field_for_each_role(audit_world, published):
    if published:
        _publish(audit_world)
    audit = Assessment.objects.get(pk=audit_world["audit"].pk)
    seen, expected = {}, {}
    for role in ROLES:
        scope = Scope.for_user(_user(audit_world, role))
        for model, field, marker, kind in CONFIDENTIAL_FIELDS:
            assert field in confidential.confidential_fields(model)
            key = f"{role} {model.__name__}.{field}"
            # another tenant's or a foreign body's audit: nothing of it at all
            visible = role in OPENS_AUDIT[published] and may_see_field(role, kind, published)
            seen[key] = _field_verdicts(scope, Assessment.objects.get(pk=audit.pk), model, field, marker)
            expected[key] = dict.fromkeys(seen[key], visible)
    assert seen == expected


def test_history_rows_keep_hidden_fields_named_and_values_out(audit_world):
    """A visible object whose changes include a hidden field: the field is listed as hidden, with no value."""
    scope = Scope.for_user(_user(audit_world, "provider-reader"))
    audit = audit_world["audit"]
    shown = history.redacted_entries(scope, list(LogEntry.objects.get_for_object(audit)))
    hidden = [c for e in shown for c in e.changes if c.field == "internal_notes"]
    assert hidden and all(c.hidden and c.old == "" and c.new == "" for c in hidden)


def test_log_of_a_deleted_finding_stays_hidden_until_publication(audit_world):
    auditor = audit_world["auditor"]
    finding = Finding.objects.get(result__assessment=audit_world["audit"])
    actions.delete_finding(scope=Scope.for_user(auditor), finding=finding, user=auditor)
    provider = audit_world["world"].provider
    admin = _user(audit_world, "provider-admin")
    page = _client(admin).get(f"/organizace/{provider.pk}/historie/").content.decode()
    assert FINDING not in page and MEASURE not in page
    _publish(audit_world)
    page = _client(admin).get(f"/organizace/{provider.pk}/historie/").content.decode()
    assert FINDING in page


def test_organisation_log_is_filtered_in_the_query_so_pages_stay_full(audit_world):
    """The organisation log drops hidden entries in the database query, not after pagination."""
    provider = audit_world["world"].provider
    scope = Scope.for_user(_user(audit_world, "provider-admin"))
    qs = selectors.organisation_log(scope, provider)
    assert not qs.filter(content_type__model__in=["result", "finding"]).exists()
    _publish(audit_world)
    qs = selectors.organisation_log(scope, provider)
    assert qs.filter(content_type__model__in=["result", "finding"]).exists()


def test_entries_written_before_assessment_id_was_recorded_are_resolved_too(audit_world):
    """Entries without ``additional_data["assessment_id"]`` (written before it was recorded) are resolved through
    the live objects and stay hidden until publication."""
    for entry in LogEntry.objects.filter(content_type__model__in=["result", "finding"]):
        entry.additional_data = {"organisation_id": entry.additional_data["organisation_id"]}
        entry.save(update_fields=["additional_data"])
    provider = audit_world["world"].provider
    admin = _user(audit_world, "provider-admin")
    page = _client(admin).get(f"/organizace/{provider.pk}/historie/").content.decode()
    assert FINDING not in page and COMMENT not in page and RATING not in page
    _publish(audit_world)
    page = _client(admin).get(f"/organizace/{provider.pk}/historie/").content.decode()
    assert FINDING in page and COMMENT in page and RATING in page and RESULT_NOTE not in page


def test_an_action_cannot_link_a_finding_of_an_unpublished_audit(audit_world):
    """The improvement history pages (plans, actions) show linked findings by name; only published findings
    can be linked, so the action history cannot carry an unpublished finding."""
    from django.core.exceptions import ValidationError

    from qmss.improvement import actions as improvement
    from qmss.improvement.testing import make_plan

    provider = audit_world["world"].provider
    scope = Scope.for_user(_user(audit_world, "provider-admin"))
    plan = make_plan(provider)
    finding = Finding.objects.get(result__assessment=audit_world["audit"])
    with pytest.raises(ValidationError):
        improvement.create_action(scope=scope, plan=plan, title="Náprava", findings=[finding])
    _publish(audit_world)
    action = improvement.create_action(scope=scope, plan=plan, title="Náprava", findings=[finding])
    assert list(action.findings.all()) == [finding]
