"""Fast criterion entry: the criteria of a standard (or all) on one page, inline save with htmx, the plain-form
fallback, "save and next", the safe return address, permissions and query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qmss.assessments.models import Assessment, Result
from qmss.assessments.testing import (
    criteria,
    make_assessment,
    make_evidence,
    make_framework,
    make_result,
    scale_value,
)
from qmss.core.roles import OrganisationKind, Role
from qmss.frameworks.models import Requirement
from qmss.testing.queries import assert_constant_queries

Kind, State = Assessment.Kind, Assessment.State
HTMX = {"HTTP_HX_REQUEST": "true"}


def entry_url(assessment, standard: str | None = None) -> str:
    url = reverse("assessments:entry", kwargs={"assessment_pk": assessment.pk})
    return f"{url}?standard={standard}" if standard else url


def result_url(assessment, requirement) -> str:
    return reverse("assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": requirement.pk})


def row_data(assessment, requirement, key: str | None = "2", comment: str = "", next_url: str | None = None, **extra):
    prefix = f"c{requirement.pk}"
    value = scale_value(assessment.framework, key).pk if key else ""
    data = {"entry": "row", f"{prefix}-value": value, f"{prefix}-comment": comment, **extra}
    if next_url is not None:
        data["next"] = next_url
    return data


def by_ref(framework) -> dict[str, Requirement]:
    return {c.ref_id: c for c in criteria(framework)}


@pytest.fixture
def assessment(world):
    return make_assessment(world.provider, service=world.service, framework=world.framework, state=State.IN_PROGRESS)


def test_standard_page_lists_its_criteria_and_the_all_page_all(world, assessment):
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    response = client.get(entry_url(assessment, "2"))
    assert response.status_code == 200
    body = response.content.decode()
    for ref in ("2a", "2b", "2c", "2d"):
        assert f'id="criterion-{refs[ref].pk}"' in body
        assert f'name="c{refs[ref].pk}-value"' in body and f'for="id_c{refs[ref].pk}-comment"' in body
    assert f'id="criterion-{refs["1a"].pk}"' not in body
    assert f'hx-post="{result_url(assessment, refs["2a"])}"' in body  # inline save …
    assert f'action="{result_url(assessment, refs["2a"])}"' in body  # … and the same form without JS
    assert 'max="48" value="0"' in body  # progress: none of 48
    assert 'aria-current="page"' in body
    everything = client.get(entry_url(assessment)).content.decode()
    assert all(f'id="criterion-{c.pk}"' in everything for c in refs.values())
    assert client.get(entry_url(assessment, "nonexistent")).status_code == 404


def test_htmx_post_saves_one_result_and_returns_the_row_with_the_progress(world, assessment):
    refs = by_ref(world.framework)
    make_result(assessment, "1b", "3")
    evidence = make_evidence(world.provider, title="Směrnice", store=False)
    linked = make_result(assessment, "1a", None)
    linked.evidence.add(evidence)
    client = world.client(world.provider_editor)
    response = client.post(
        result_url(assessment, refs["1a"]),
        row_data(assessment, refs["1a"], "2", comment="Doloženo", next_url=entry_url(assessment, "1")),
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    result = Result.objects.get(assessment=assessment, requirement=refs["1a"])
    assert result.value.key == "2" and result.comment == "Doloženo" and result.updated_by == world.provider_editor
    assert list(result.evidence.all()) == [evidence]  # the row does not show links: they stay
    assert body.lstrip().startswith(f'<form id="criterion-{refs["1a"].pk}"')  # the row fragment, no page
    assert "<html" not in body
    assert 'id="entry-progress"' in body and 'hx-swap-oob="true"' in body
    assert 'max="48" value="2"' in body  # 1a and 1b of 48
    assert f'id="standard-progress-{refs["1a"].parent_id}"' in body
    assert 'id="entry-announcer" hx-swap-oob="innerHTML"' in body and "1a" in body
    assert "entry-row--saved" in body


def test_htmx_post_with_a_value_off_the_scale_is_refused_in_the_row(world, assessment):
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    data = row_data(assessment, refs["1a"], None)
    data[f"c{refs['1a'].pk}-value"] = "999999"
    response = client.post(result_url(assessment, refs["1a"]), data, **HTMX)
    assert response.status_code == 200
    assert "entry-row--error" in response.content.decode()
    assert not Result.objects.filter(assessment=assessment).exists()


def test_plain_post_redirects_back_to_the_standard_page_at_the_criterion(world, assessment):
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    here = entry_url(assessment, "3")
    response = client.post(result_url(assessment, refs["3b"]), row_data(assessment, refs["3b"], "1", next_url=here))
    assert response.status_code == 302
    assert response["Location"] == f"{here}#criterion-{refs['3b'].pk}"
    assert Result.objects.get(assessment=assessment, requirement=refs["3b"]).value.key == "1"
    # without a return address: the criterion's standard page
    response = client.post(result_url(assessment, refs["3c"]), row_data(assessment, refs["3c"], "1"))
    assert response["Location"] == f"{entry_url(assessment, '3')}#criterion-{refs['3c'].pk}"


def test_single_criterion_page_returns_where_the_user_came_from(world, assessment):
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    detail = assessment.get_absolute_url()
    page = client.get(result_url(assessment, refs["2a"]), {"next": detail})
    assert f'name="next" value="{detail}"' in page.content.decode()
    response = client.post(result_url(assessment, refs["2a"]), {"value": "", "comment": "x", "next": detail})
    assert response["Location"] == f"{detail}#criterion-{refs['2a'].pk}"  # never the top of the detail page
    response = client.post(result_url(assessment, refs["2a"]), {"value": "", "comment": "x"})
    assert response["Location"] == f"{entry_url(assessment, '2')}#criterion-{refs['2a'].pk}"


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/phish", "//evil.example/phish", "http://evil.example", "javascript:alert(1)", "\\\\evil"],
)
def test_an_unsafe_next_is_ignored(world, assessment, unsafe):
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    expected = f"{entry_url(assessment, '1')}#criterion-{refs['1c'].pk}"
    response = client.post(result_url(assessment, refs["1c"]), row_data(assessment, refs["1c"], "2", next_url=unsafe))
    assert response["Location"] == expected
    response = client.post(result_url(assessment, refs["1c"]), {"value": "", "comment": "", "next": unsafe})
    assert response["Location"] == expected
    page = client.get(result_url(assessment, refs["1c"]), {"next": unsafe}).content.decode()
    assert 'type="hidden" name="next"' not in page  # no return address in the result form
    assert f'href="{expected}"' in page  # the back link: the standard page
    response = client.post(
        result_url(assessment, refs["1c"]), {"value": "", "comment": "", "next": unsafe, "then": "next"}
    )
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]


def test_save_and_next_goes_to_the_next_unassessed_criterion(world, assessment):
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    two = scale_value(world.framework, "2").pk
    response = client.post(result_url(assessment, refs["1a"]), {"value": two, "comment": "", "then": "next"})
    assert response.status_code == 302
    assert response["Location"] == result_url(assessment, refs["1b"])
    make_result(assessment, "1c", "3")  # already assessed: skipped
    detail = assessment.get_absolute_url()
    response = client.post(
        result_url(assessment, refs["1b"]), {"value": two, "comment": "", "then": "next", "next": detail}
    )
    assert response["Location"] == f"{result_url(assessment, refs['1d'])}?next={detail.replace('/', '%2F')}"
    # the last criterion wraps round to the first one not assessed yet
    last = criteria(world.framework)[-1]
    response = client.post(result_url(assessment, last), {"value": two, "comment": "", "then": "next"})
    assert response["Location"] == result_url(assessment, refs["1d"])


def test_save_and_next_when_everything_is_assessed_goes_on_in_order(world):
    done = make_assessment(
        world.provider, service=world.service, framework=world.framework, state=State.IN_PROGRESS, fill="2"
    )
    refs = by_ref(world.framework)
    client = world.client(world.provider_editor)
    response = client.post(result_url(done, refs["2b"]), {"value": "", "comment": "", "then": "next"})
    assert response["Location"] == result_url(done, refs["2c"])  # 2b itself is now unassessed, 2c comes next
    last = criteria(world.framework)[-1]
    make_result(done, "2b", "2")
    response = client.post(
        result_url(done, last), {"value": scale_value(world.framework, "2").pk, "comment": "", "then": "next"}
    )
    assert response["Location"] == f"{entry_url(done, '15')}#criterion-{last.pk}"  # nothing after the last


@pytest.mark.parametrize("htmx", [False, True])
def test_who_may_not_edit_results_cannot_save_or_open_the_page(world, tenant_b, assessment, htmx):
    refs = by_ref(world.framework)
    headers = HTMX if htmx else {}
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )
    make_result(audit, "1a", "1", internal_note="TAJNÁ pracovní poznámka auditora")
    published = make_assessment(world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED)
    refused = [
        (world.provider_reader, assessment, 403),  # reads, does not edit
        (world.region_manager, assessment, 404),  # does not see an unpublished self-assessment
        (tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN), assessment, 404),  # another tenant
        (world.provider_admin, audit, 403),  # the audit is recorded by the auditor only
        (world.provider_editor, published, 403),  # published: results are final
        (world.auditor, assessment, 404),  # an auditor does not see the provider's own self-assessment
    ]
    for user, target, status in refused:
        client = world.client(user)
        page = client.get(entry_url(target, "1"))
        # a published assessment's entry page leads to the assessment and says why (the save is still refused)
        assert page.status_code == (302 if target is published else status), (user, target.kind, target.state)
        assert "TAJNÁ" not in page.content.decode()
        response = client.post(result_url(target, refs["1b"]), row_data(target, refs["1b"], "3"), **headers)
        assert response.status_code == status, (user, target.kind, target.state)
        assert "TAJNÁ" not in response.content.decode()
        assert not Result.objects.filter(assessment=target, requirement=refs["1b"]).exists()
    anonymous = world.client(None).post(result_url(assessment, refs["1b"]), row_data(assessment, refs["1b"], "3"))
    assert anonymous.status_code == 302 and "/ucet/prihlaseni/" in anonymous["Location"]
    assert not Result.objects.filter(requirement=refs["1b"]).exists()


def test_the_auditor_enters_the_audit_with_working_notes(world):
    refs = by_ref(world.framework)
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )
    make_result(audit, "1a", "1", internal_note="Pracovní poznámka auditora")
    client = world.client(world.auditor)
    body = client.get(entry_url(audit, "1")).content.decode()
    assert "Pracovní poznámka auditora" in body and f'name="c{refs["1a"].pk}-internal_note"' in body
    data = row_data(audit, refs["1a"], "2", **{f"c{refs['1a'].pk}-internal_note": "Nová poznámka"})
    assert client.post(result_url(audit, refs["1a"]), data, **HTMX).status_code == 200
    assert Result.objects.get(assessment=audit, requirement=refs["1a"]).internal_note == "Nová poznámka"


def test_detail_page_shows_the_progress_and_links_to_the_entry(world, assessment):
    make_result(assessment, "1a", "2")
    client = world.client(world.provider_editor)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert 'id="entry-progress"' in body and 'max="48" value="1"' in body
    assert f'href="{entry_url(assessment, "1")}"' in body
    assert f'?next={assessment.get_absolute_url()}"' in body
    reader = world.client(world.provider_reader).get(assessment.get_absolute_url()).content.decode()
    assert 'id="entry-progress"' in reader and entry_url(assessment) not in reader  # no link without the right


@pytest.mark.parametrize("standard", ["1", None])
def test_entry_pages_make_constant_queries(world, standard):
    """The standard page and the all-criteria page, growing the criteria and their results."""
    from qmss.frameworks.selectors import clear_tree_cache, framework_tree

    framework = make_framework(urn="urn:qmss:framework:entry-budget", n_standards=2, criteria_per_standard=1)
    standards = list(framework.requirements.filter(kind=Requirement.Kind.STANDARD).order_by("order"))
    assessment = make_assessment(world.provider, service=world.service, framework=framework, state=State.IN_PROGRESS)
    client = world.client(world.provider_editor)
    url = entry_url(assessment, standard)
    value = scale_value(framework, "2")
    assessable = Requirement.objects.filter(framework=framework, assessable=True)

    def grow(n):
        order = 1000 + assessable.count()
        for i in range(assessable.count(), n):
            parent = standards[i % 2] if standard is None else standards[0]
            order += 1
            requirement = Requirement.objects.create(
                framework=framework,
                parent=parent,
                ref_id=f"{parent.ref_id}x{i}",
                kind=Requirement.Kind.CRITERION,
                order=order,
                depth=1,
                title=f"Kritérium navíc {i}",
                assessable=True,
            )
            Result.objects.create(assessment=assessment, requirement=requirement, value=value, score=value.score)
        clear_tree_cache()
        framework_tree(framework)  # the tree is cached in-process: warm it as a running server has it

    assert_constant_queries(lambda: client.get(url), grow, count=assessable, small=3, large=40, max_queries=15)
