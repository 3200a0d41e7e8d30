"""Writes of the compensation part: compute a new numbered run of a programme, approve the newest draft run.

Both are the programme manager's (:func:`qmss.financing.permissions.can_manage_programme`). A run is computed
while the programme is closed (being assessed) or decided; the figures are frozen in the run's lines together
with every input and its source. Approving the newest draft run makes it the awarded compensation (settlement
pre-fills from it) and moves a closed programme to decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.financing import compensation_engine, compensation_inputs, permissions
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.models import CompensationLine, CompensationRun, Programme
from qmss.network.library import decimal_text

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

COMPUTABLE_STATES = (Programme.State.CLOSED, Programme.State.DECIDED)
NOTE_LENGTH = 500


def _require_manager(user, programme: Programme) -> None:
    if not permissions.can_manage_programme(Scope.for_user(user), programme):
        raise PermissionDenied(_("Only the programme's manager may compute and approve the compensation."))


def _locked(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


@audit.action
def compute_run(*, user: AbstractBaseUser, programme: Programme, note: str = "") -> CompensationRun:
    """A new run numbered after the programme's last one, computed from the applications, the reference values,
    the budgets and the network scores as they are now, with the programme's budget and parameters."""
    _require_manager(user, programme)
    programme = _locked(programme)
    if programme.state not in COMPUTABLE_STATES:
        raise ValidationError(
            _("The compensation is computed when the programme is closed for applications or decided."),
            code=Code.INVALID_STATE.value,
        )
    collected = compensation_inputs.collect(programme)
    if not collected.lines:
        raise ValidationError(
            _("The programme has no submitted or accepted application to compute the compensation for."),
            code=Code.NO_APPLICATIONS.value,
        )
    parameters = dict(programme.parameters or {})
    results, coefficient = compensation_engine.compute(collected.lines, parameters=parameters, budget=programme.budget)
    last = programme.runs.aggregate(last=Max("number"))["last"] or 0
    run = CompensationRun.objects.create(
        programme=programme,
        number=last + 1,
        budget=programme.budget,
        coefficient=coefficient,
        total_capped=sum((r.capped for r in results), compensation_engine.ZERO),
        total_real=sum((r.real for r in results), compensation_engine.ZERO),
        parameters={**parameters, "budget": decimal_text(programme.budget)},
        note=note.strip()[:NOTE_LENGTH],
        created_by=user,
    )
    by_pk = {application.pk: application for application in collected.applications}
    CompensationLine.objects.bulk_create(
        [
            CompensationLine(
                run=run,
                application=by_pk[line.key],
                service=by_pk[line.key].service,
                units=line.units,
                unit=line.unit,
                usual_cost=line.usual_cost,
                usual_revenue=line.usual_revenue,
                max_public_share=line.max_public_share,
                optimal=result.optimal,
                adjustment_percent=result.adjustment_percent,
                adjusted=result.adjusted,
                cap_public_share=result.cap_public_share,
                cap_net_cost=result.cap_net_cost,
                capped=result.capped,
                real=result.real,
                problem=result.problem,
                inputs={
                    **collected.sources[line.key],
                    "max_public_share_from": "reference" if line.max_public_share is not None else "programme",
                },
            )
            for line, result in zip(collected.lines, results, strict=True)
        ]
    )
    return run


@audit.action
def approve_run(*, user: AbstractBaseUser, run: CompensationRun) -> CompensationRun:
    """Approve ``run`` – the programme's newest run, still a draft; a closed programme becomes decided."""
    programme = run.programme
    _require_manager(user, programme)
    programme = _locked(programme)
    run = CompensationRun.objects.select_for_update().get(pk=run.pk)
    newest = programme.runs.order_by("-number").values_list("number", flat=True).first()
    if run.number != newest:
        raise ValidationError(
            _("Only the newest calculation may be approved; calculation no. %(number)s has been made since.")
            % {"number": newest},
            code=Code.NOT_NEWEST_RUN.value,
        )
    if run.state != CompensationRun.State.DRAFT:
        raise ValidationError(_("This calculation has already been approved."), code=Code.INVALID_STATE.value)
    if programme.state not in COMPUTABLE_STATES:
        raise ValidationError(
            _("The compensation is approved when the programme is closed for applications or decided."),
            code=Code.INVALID_STATE.value,
        )
    run.state = CompensationRun.State.APPROVED
    run.approved_at = timezone.now()
    run.approved_by = user
    run.save(update_fields=["state", "approved_at", "approved_by"])
    if programme.state == Programme.State.CLOSED:
        programme.state = Programme.State.DECIDED
        programme.save(update_fields=["state", "updated_at"])
    run.programme = programme
    return run
