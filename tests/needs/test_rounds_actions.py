"""Rounds: opening, save_values, validation, the workflow and permissions (actions level)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.needs import actions_rounds as actions
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.layout import applies, form_layout, prefill_values
from qmss.needs.models import CollectionRound, Submission, SubmissionComment
from qmss.needs.selectors_rounds import submission_values
from qmss.needs.testing_rounds import GOOD_VALUES
from qmss.needs.validation import check
from tests.needs.rounds_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    world = build_world(tenant_a, tenant_b)
    actions.open_round(user=world.manager, round=world.round)
    world.round.refresh_from_db()
    return world


def test_open_creates_one_submission_per_service_in_region_with_facts_and_prefill(world):
    subs = Submission.objects.filter(round=world.round)
    assert subs.count() == 23
    assert not subs.filter(service=world.b_service).exists()
    home = world.submission()
    assert home.registry_facts["forms"] == ["residential"]
    assert home.registry_facts["capacity"] == 40
    values = submission_values(home)
    assert values["capacity"] == {"": Decimal(40)}
    assert values["period_days"] == {"": Decimal(365)}
    assert prefill_values(home)[("capacity", "")] == Decimal(40)
    assert world.round.state == CollectionRound.State.OPEN


def test_layout_hides_elements_of_other_forms(world):
    layout = form_layout(world.round)
    home, counselling = world.submission(), world.submission(world.own_services[1])
    assert applies(layout.get("bed_days"), home) and not applies(layout.get("bed_days"), counselling)
    assert applies(layout.get("contacts"), counselling) and not applies(layout.get("contacts"), home)
    assert [c for c, _n in layout.get("users").categories] == ["u18", "18_64", "65_79", "80p"]


def test_save_values_all_or_nothing(world):
    sub = world.submission()
    actions.save_values(user=world.editor, submission=sub, values={("new_users", ""): Decimal(3)})
    with pytest.raises(ValidationError) as exc:
        actions.save_values(
            user=world.editor,
            submission=sub,
            values={("new_users", ""): Decimal(5), ("waiting_list", ""): Decimal(-1)},
        )
    assert exc.value.code == Code.INVALID_VALUE.value
    assert submission_values(sub)["new_users"] == {"": Decimal(3)}
    assert "waiting_list" not in submission_values(sub)


@pytest.mark.parametrize(
    ("cell", "value", "code"),
    [
        (("capacity", ""), Decimal(99), Code.INVALID_VALUE),  # locked
        (("nonsense", ""), Decimal(1), Code.UNKNOWN_ELEMENT),
        (("users", "nope"), Decimal(1), Code.UNKNOWN_ELEMENT),
        (("contacts", ""), Decimal(1), Code.UNKNOWN_ELEMENT),  # not for a residential service
        (("users", "u18"), Decimal("1.5"), Code.INVALID_VALUE),  # whole numbers
    ],
)
def test_save_values_refuses_bad_cells(world, cell, value, code):
    with pytest.raises(ValidationError) as exc:
        actions.save_values(user=world.editor, submission=world.submission(), values={cell: value})
    assert exc.value.code == code.value


def test_none_deletes_a_cell(world):
    sub = world.submission()
    actions.save_values(user=world.editor, submission=sub, values={("new_users", ""): Decimal(3)})
    actions.save_values(user=world.editor, submission=sub, values={("new_users", ""): None})
    assert "new_users" not in submission_values(sub)


def test_reader_other_provider_and_tenant_b_cannot_save(world, tenant_b):
    from qmss.core.roles import OrganisationKind, Role

    sub = world.submission()
    for user in (world.reader, tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN), world.manager):
        with pytest.raises(PermissionDenied):
            actions.save_values(user=user, submission=sub, values={("new_users", ""): Decimal(1)})
    other = world.submission(world.other_services[0])
    with pytest.raises(PermissionDenied):
        actions.save_values(user=world.editor, submission=other, values={("new_users", ""): Decimal(1)})


def _fill(world, sub, overrides=None):
    values = dict(GOOD_VALUES)
    values.update(overrides or {})
    actions.save_values(user=world.editor, submission=sub, values=values)


def test_blocking_rule_stops_submission_with_its_czech_message(world):
    sub = world.submission()
    _fill(world, sub, {("new_users", ""): Decimal(500)})
    results = {r.rule.code: r for r in check(sub)}
    assert results["new_le_users"].passed is False
    with pytest.raises(ValidationError) as exc:
        actions.submit(user=world.editor, submission=sub)
    assert exc.value.code == Code.BLOCKING_RULE.value
    assert "Nových uživatelů nemůže být víc než všech uživatelů za období." in exc.value.messages
    sub.refresh_from_db()
    assert sub.state == Submission.State.DRAFT


def test_required_values_and_warning_comment(world):
    sub = world.submission()
    with pytest.raises(ValidationError) as exc:
        actions.submit(user=world.editor, submission=sub)
    assert exc.value.code == Code.REQUIRED_MISSING.value
    _fill(world, sub)
    actions.save_values(user=world.editor, submission=sub, values={("users_orp", str(_an_orp(world))): Decimal(3)})
    with pytest.raises(ValidationError) as exc:
        actions.submit(user=world.editor, submission=sub)
    assert exc.value.code == Code.WARNING_NEEDS_COMMENT.value
    actions.submit(user=world.editor, submission=sub, warning_comments={"users_orp_matches": "Jen část známe."})
    sub.refresh_from_db()
    assert sub.state == Submission.State.SUBMITTED
    assert sub.warning_comments == {"users_orp_matches": "Jen část známe."}


def _an_orp(world):
    layout = form_layout(world.round)
    return layout.get("users_orp").categories[0][0]


def test_return_needs_comment_then_correct_and_resubmit_then_approve(world):
    sub = world.submission()
    _fill(world, sub)
    actions.submit(user=world.editor, submission=sub)
    with pytest.raises(PermissionDenied):
        actions.approve(user=world.editor, submission=sub)
    with pytest.raises(ValidationError) as exc:
        actions.return_submission(user=world.manager, submission=sub, comment="  ")
    assert exc.value.error_dict["comment"][0].code == Code.COMMENT_REQUIRED.value
    actions.return_submission(user=world.manager, submission=sub, comment="Zkontrolujte úvazky.")
    sub.refresh_from_db()
    assert sub.state == Submission.State.RETURNED
    actions.reply(user=world.editor, submission=sub, text="Opraveno.")
    assert list(SubmissionComment.objects.filter(submission=sub).values_list("kind", flat=True)) == [
        "return",
        "reply",
    ]
    actions.save_values(user=world.editor, submission=sub, values={("fte", "operations"): Decimal(6)})
    actions.submit(user=world.editor, submission=sub)
    actions.approve(user=world.manager, submission=sub)
    sub.refresh_from_db()
    assert sub.state == Submission.State.APPROVED
    with pytest.raises(ValidationError):
        actions.save_values(user=world.editor, submission=sub, values={("fte", "operations"): Decimal(7)})


def test_tenant_b_region_cannot_decide(world, tenant_b):
    from qmss.core.roles import OrganisationKind, Role

    sub = world.submission()
    _fill(world, sub)
    actions.submit(user=world.editor, submission=sub)
    with pytest.raises(PermissionDenied):
        actions.approve(user=tenant_b.user(OrganisationKind.REGION, Role.ADMIN), submission=sub)


def test_writes_are_audited_with_the_actor(world):
    from auditlog.models import LogEntry

    sub = world.submission()
    actions.save_values(user=world.editor, submission=sub, values={("new_users", ""): Decimal(3)})
    entry = LogEntry.objects.get_for_object(sub).order_by("-pk").first()
    assert entry is not None and entry.actor_id == world.editor.pk


def test_closed_round_refuses_values_and_submission(world):
    sub = world.submission()
    actions.close_round(user=world.manager, round=world.round)
    with pytest.raises(ValidationError) as exc:
        actions.save_values(user=world.editor, submission=sub, values={("new_users", ""): Decimal(3)})
    assert exc.value.code == Code.INVALID_STATE.value
    with pytest.raises(PermissionDenied):
        actions.close_round(user=world.editor, round=world.round)
