"""Rounds on the web: the region creates, previews and opens a round; the provider fills (htmx and plain POST),
meets the checks and submits; the region returns and approves; the provider sees the comments and replies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.needs import actions_rounds as actions
from qmss.needs.forms_rounds import cell_name
from qmss.needs.models import CollectionRound, Submission, SubmissionComment
from qmss.needs.selectors_rounds import submission_values
from qmss.needs.testing_rounds import GOOD_VALUES
from tests.needs.rounds_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    return build_world(tenant_a, tenant_b)


def _open(world):
    actions.open_round(user=world.manager, round=world.round)
    world.round.refresh_from_db()


def _url(name, **kwargs):
    return reverse(f"needs:{name}", kwargs=kwargs)


def _cells(values):
    return {cell_name(code, category): str(value).replace(".", ",") for (code, category), value in values.items()}


def test_region_creates_previews_and_opens_a_round(world):
    client = world.client(world.manager)
    response = client.get(_url("rounds"))
    assert response.status_code == 200 and _url("round_create").encode() in response.content
    response = client.post(
        _url("round_create"),
        {
            "organisation": world.region_org.pk,
            "name": "Sběr za rok 2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "deadline": "2026-02-28",
            "reminder_days": "7",
            "instructions": "Vyplňte do konce února.",
            "kind_codes": ["13"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    round = CollectionRound.objects.get(name="Sběr za rok 2025")
    page = client.get(_url("round_detail", round_pk=round.pk)).content.decode()
    assert "Domov Jasmín" in page and "Poradna Bříza" not in page  # preview filtered by kind
    assert "21" in page
    assert client.post(_url("round_open", round_pk=round.pk)).status_code == 302
    round.refresh_from_db()
    assert round.state == CollectionRound.State.OPEN and round.submissions.count() == 21


def test_create_refuses_a_deadline_before_the_period(world):
    response = world.client(world.manager).post(
        _url("round_create"),
        {
            "organisation": world.region_org.pk,
            "name": "X",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "deadline": "2024-02-28",
            "reminder_days": "7",
        },
    )
    assert response.status_code == 200 and "field__error" in response.content.decode()


def test_provider_fills_submits_region_returns_provider_replies_resubmits_region_approves(world):
    _open(world)
    sub = world.submission()
    editor = world.client(world.editor)
    response = editor.get(_url("my_submissions"))
    assert "Domov Jasmín" in response.content.decode()
    page = editor.get(_url("submission_detail", submission_pk=sub.pk)).content.decode()
    assert f'name="{cell_name("users", "u18")}"' in page
    assert f'name="{cell_name("capacity", "")}"' not in page  # locked: shown, not an input
    assert cell_name("contacts", "") not in page  # not for a residential service
    # htmx autosave of a section
    response = editor.post(
        _url("submission_save", submission_pk=sub.pk),
        {"section": "1", cell_name("direct_hours", ""): "20 000,5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.content.decode()
    assert submission_values(sub)["direct_hours"] == {"": Decimal("20000.5")}
    # inline Czech error, nothing saved
    response = editor.post(
        _url("submission_save", submission_pk=sub.pk),
        {"section": "1", cell_name("direct_hours", ""): "hodně", cell_name("bed_days", ""): "5"},
        HTTP_HX_REQUEST="true",
    )
    assert "Zadejte číslo" in response.content.decode() or "Enter a number" in response.content.decode()
    assert "bed_days" not in submission_values(sub)
    # plain POST of everything
    response = editor.post(_url("submission_save", submission_pk=sub.pk), {"section": "2", **_cells(GOOD_VALUES)})
    assert response.status_code == 302
    response = editor.post(_url("submission_submit", submission_pk=sub.pk), {})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.state == Submission.State.SUBMITTED
    # the region returns with a comment
    manager = world.client(world.manager)
    round_page = manager.get(_url("round_detail", round_pk=world.round.pk)).content.decode()
    assert _url("submission_detail", submission_pk=sub.pk) in round_page
    assert manager.get(_url("submission_return", submission_pk=sub.pk)).status_code == 200
    assert manager.post(_url("submission_return", submission_pk=sub.pk), {"comment": ""}).status_code == 422
    manager.post(_url("submission_return", submission_pk=sub.pk), {"comment": "Doplňte úvazky vedení."})
    sub.refresh_from_db()
    assert sub.state == Submission.State.RETURNED
    page = editor.get(_url("submission_detail", submission_pk=sub.pk)).content.decode()
    assert "Doplňte úvazky vedení." in page
    editor.post(_url("submission_reply", submission_pk=sub.pk), {"text": "Doplněno."})
    assert SubmissionComment.objects.filter(submission=sub, kind="reply", text="Doplněno.").exists()
    editor.post(_url("submission_save", submission_pk=sub.pk), {"section": "3", cell_name("fte", "management"): "2"})
    editor.post(_url("submission_submit", submission_pk=sub.pk), {})
    manager.post(_url("submission_approve", submission_pk=sub.pk), {"note": ""})
    sub.refresh_from_db()
    assert sub.state == Submission.State.APPROVED


def test_blocking_rule_message_on_the_page_and_warning_needs_comment(world):
    _open(world)
    sub = world.submission()
    values = dict(GOOD_VALUES)
    values[("new_users", "")] = Decimal(999)
    actions.save_values(user=world.editor, submission=sub, values=values)
    editor = world.client(world.editor)
    response = editor.post(_url("submission_submit", submission_pk=sub.pk), {})
    assert response.status_code == 422
    assert "Nových uživatelů nemůže být víc než všech uživatelů za období." in response.content.decode()
    actions.save_values(user=world.editor, submission=sub, values={("new_users", ""): Decimal(10)})
    actions.save_values(
        user=world.editor, submission=sub, values={("revenues", "other"): Decimal(90000000)}
    )  # revenues way above costs
    response = editor.post(_url("submission_submit", submission_pk=sub.pk), {})
    assert response.status_code == 422
    assert "warning__revenues_vs_costs" in response.content.decode()
    response = editor.post(
        _url("submission_submit", submission_pk=sub.pk), {"warning__revenues_vs_costs": "Jednorázový dar."}
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.warning_comments == {"revenues_vs_costs": "Jednorázový dar."}


def test_late_badge(world):
    world.round.deadline = date(2020, 1, 1)
    world.round.save()
    _open(world)
    page = world.client(world.editor).get(_url("my_submissions")).content.decode()
    assert "po termínu" in page or "late" in page
    round_page = world.client(world.manager).get(_url("round_detail", round_pk=world.round.pk) + "?state=late")
    assert round_page.status_code == 200 and "Domov Jasmín" in round_page.content.decode()


@pytest.mark.parametrize("who", ["reader", "other_region", "other_provider"])
def test_others_cannot_save_or_see(world, tenant_b, who):
    _open(world)
    sub = world.submission()
    user = {
        "reader": world.reader,
        "other_region": tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
        "other_provider": tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN),
    }[who]
    client = world.client(user)
    response = client.post(
        _url("submission_save", submission_pk=sub.pk), {"section": "1", cell_name("bed_days", ""): "5"}
    )
    assert response.status_code in (403, 404)
    assert "bed_days" not in submission_values(sub)
    if who != "reader":
        assert client.get(_url("submission_detail", submission_pk=sub.pk)).status_code == 404
        assert client.get(_url("round_detail", round_pk=world.round.pk)).status_code == 404
    else:  # a reader of the provider sees the report read-only
        page = client.get(_url("submission_detail", submission_pk=sub.pk)).content.decode()
        assert f'name="{cell_name("bed_days", "")}"' not in page


def test_provider_cannot_decide(world):
    _open(world)
    sub = world.submission()
    actions.save_values(user=world.editor, submission=sub, values=GOOD_VALUES)
    actions.submit(user=world.editor, submission=sub)
    client = world.client(world.editor)
    assert client.post(_url("submission_approve", submission_pk=sub.pk), {}).status_code == 404
    sub.refresh_from_db()
    assert sub.state == Submission.State.SUBMITTED
