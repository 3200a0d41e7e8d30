"""Improvement writes go through actions: typed keyword arguments instead of a free ``data`` dictionary, every
change – also a parent's type passed on to its sub-processes, once a silent bulk update – in the audit log with
the acting user, refusals with error codes."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from qmss.assessments.models import Assessment
from qmss.assessments.testing import make_assessment
from qmss.improvement import actions
from qmss.improvement.error_codes import ImprovementErrorCode
from qmss.improvement.models import Action, Process
from qmss.improvement.testing import make_action, make_plan, make_process

pytestmark = pytest.mark.django_db


def test_sub_processes_follow_the_parent_type_in_the_audit_log(world):
    parent = make_process(world.provider, kind=Process.Kind.SUPPORT)
    children = [make_process(world.provider, parent=parent) for _ in range(2)]
    actions.update_process(scope=world.scope(world.editor), process=parent, kind=Process.Kind.MANAGEMENT)
    for child in children:
        child.refresh_from_db()
        assert child.kind == Process.Kind.MANAGEMENT
        entry = LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.UPDATE).get()
        assert entry.actor == world.editor
        assert entry.changes_dict["kind"] == [Process.Kind.SUPPORT, Process.Kind.MANAGEMENT]


def test_update_leaves_out_fields_it_is_not_given(world):
    process = make_process(world.provider, name="Příjem", code="H1", purpose="Účel")
    actions.update_process(scope=world.scope(), process=process, name="Příjem zájemce")
    process.refresh_from_db()
    assert (process.name, process.code, process.purpose) == ("Příjem zájemce", "H1", "Účel")


def test_actions_take_typed_keywords_only(world):
    plan = make_plan(world.provider)
    with pytest.raises(TypeError):  # the old free dictionary is gone
        actions.create_action(scope=world.scope(), plan=plan, data={"title": "X"})
    action = make_action(plan)
    with pytest.raises(TypeError):  # the status changes only through set_action_status
        actions.update_action(scope=world.scope(), action=action, status=Action.Status.DONE)
    with pytest.raises(TypeError):
        actions.create_process(scope=world.scope(), organisation=world.provider, name="X", organisation_id=1)
    created = actions.create_action(scope=world.scope(world.editor), plan=plan, title="Školení", owner=world.editor)
    assert created.owner == world.editor and created.order == action.order + 1
    assert LogEntry.objects.get_for_object(created).get().actor == world.editor


def test_refusals_carry_error_codes(world, world_b):
    with pytest.raises(ValidationError) as exc:
        actions.create_process(scope=world.scope(), organisation=world.provider, name="X", owner=world_b.admin)
    assert exc.value.error_dict["owner"][0].code == ImprovementErrorCode.NOT_A_MEMBER.value
    draft = make_assessment(world.provider, state=Assessment.State.DRAFT, framework=world.framework)
    with pytest.raises(ValidationError) as exc:
        actions.draft_plan_from_assessment(scope=world.scope(), assessment=draft)
    assert exc.value.code == ImprovementErrorCode.INVALID_STATE.value == "invalid_state"
    action = make_action(make_plan(world.provider))
    with pytest.raises(ValidationError) as exc:
        actions.set_action_status(scope=world.scope(), action=action, status="nonsense")
    assert exc.value.code == ImprovementErrorCode.UNKNOWN_STATUS.value
