"""Writes of network applications. Keyword-only typed arguments, one transaction each (``@audit.action``),
permission-checked inside; refusals are ``PermissionDenied`` or ``ValidationError`` with a
:class:`~qmss.network.error_codes.NetworkErrorCode`.

Workflow (every move is an :class:`ApplicationStep` with its reason, shown to everyone involved)::

    submitted → formal_check → evaluation → proposal → approved | rejected
                     ↓   ↑ (the provider corrects and resubmits)
                  returned
    the provider may withdraw at any time before the decision.

Only the network's manager (:func:`qmss.network.permissions.can_manage`) moves an application and decides it;
the provider organisation's editors file, correct, attach and withdraw; editors of a municipality in the served
territory file its statement of need. For kinds A and C the statement is an admission test: the application
cannot go to evaluation without one. Approval makes a new network version through
:func:`qmss.network.actions_networks.new_version`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.network import notify_applications as notify
from qmss.network import permissions
from qmss.network import selectors_applications as selectors
from qmss.network import uploads_applications as uploads
from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.models import (
    Application,
    ApplicationAttachment,
    ApplicationStep,
    MunicipalityStatement,
    Network,
    Tier,
)
from qmss.network.scores_applications import score_snapshot
from qmss.registry.models import Service

State = Application.State
Kind = Application.Kind

MAX_CAPACITY = Decimal("99999999.99")
MAX_TEXT = 10000
MAX_CODES = 2000
# Moves of the network's manager (the decision has its own action).
MANAGER_MOVES: dict[str, tuple[str, ...]] = {
    State.SUBMITTED: (State.FORMAL_CHECK,),
    State.FORMAL_CHECK: (State.EVALUATION, State.RETURNED),
    State.EVALUATION: (State.PROPOSAL, State.RETURNED),
    State.PROPOSAL: (State.EVALUATION,),
}
NOTE_REQUIRED = frozenset({State.RETURNED})


def _refuse(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _step(application: Application, state: str, note: str, user) -> ApplicationStep:
    return ApplicationStep.objects.create(application=application, state=state, note=note.strip(), created_by=user)


def _locked(application: Application) -> Application:
    """The application re-read under a row lock (two managers clicking at once make one move)."""
    return (
        Application.objects.select_for_update(of=("self",))  # the tier is a nullable (outer) join
        .select_related("network", "network__organisation", "organisation", "service", "tier")
        .get(pk=application.pk)
    )


# --- filing --------------------------------------------------------------------------------------------------


def _clean_text(value: str, field: str, label: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _refuse(_("Fill in %(field)s.") % {"field": label}, Code.INVALID_VALUE, field)
    if len(text) > MAX_TEXT:
        raise _refuse(
            _("%(field)s is too long (at most %(n)s characters).") % {"field": label, "n": MAX_TEXT},
            Code.INVALID_VALUE,
            field,
        )
    return text


def _check_terms(
    *,
    network: Network,
    capacity: Decimal,
    unit: str,
    orp_codes: Sequence[int],
    municipality_codes: Sequence[str],
    tier: Tier | None,
    financing_category: str,
) -> tuple[list[int], list[str]]:
    from qmss.network.library import default_rules
    from qmss.network.units import units

    if capacity is None or not capacity.is_finite() or capacity <= 0 or capacity > MAX_CAPACITY:
        raise _refuse(_("The requested capacity must be a positive number."), Code.INVALID_VALUE, "capacity")
    if unit not in units():
        raise _refuse(_("Unknown unit: %(unit)s.") % {"unit": unit}, Code.UNKNOWN_UNIT, "unit")
    if tier is not None and tier.network_id != network.pk:
        raise _refuse(_("The tier does not belong to this network."), Code.INVALID_VALUE, "tier")
    categories = {category.code for category in default_rules().financing_categories}
    if financing_category and financing_category not in categories:
        raise _refuse(_("Unknown financing category."), Code.INVALID_VALUE, "financing_category")
    try:
        orps = sorted({int(code) for code in orp_codes or ()})
        municipalities = sorted({str(code).strip() for code in municipality_codes or ()})
    except (TypeError, ValueError) as exc:
        raise _refuse(_("Unknown ORP code."), Code.UNKNOWN_TERRITORY, "orp_codes") from exc
    if not orps and not municipalities:
        raise _refuse(
            _("Choose the territory the service serves: ORPs or municipalities."), Code.UNKNOWN_TERRITORY, "orp_codes"
        )
    if len(orps) + len(municipalities) > MAX_CODES:
        raise _refuse(_("Too many territory codes."), Code.UNKNOWN_TERRITORY, "municipality_codes")
    territory = selectors.network_territory(network)
    if not set(orps) <= territory.orp_codes:
        raise _refuse(_("An ORP is not in the network's region."), Code.UNKNOWN_TERRITORY, "orp_codes")
    if not set(municipalities) <= territory.municipality_codes:
        raise _refuse(_("A municipality is not in the network's region."), Code.UNKNOWN_TERRITORY, "municipality_codes")
    return orps, municipalities


def _check_files(application: Application | None, files: Sequence[UploadedFile]) -> None:
    present = application.attachments.count() if application is not None and application.pk else 0
    if present + len(files) > uploads.max_files():
        raise _refuse(
            _("An application may have at most %(n)s attachments.") % {"n": uploads.max_files()}, Code.BAD_FILE, "files"
        )
    for upload in files:
        try:
            uploads.check_attachment(upload)
        except ValidationError as exc:
            raise ValidationError({"files": exc.error_list}) from exc


def _store_files(application: Application, files: Sequence[UploadedFile], user) -> list[ApplicationAttachment]:
    stored = []
    for upload in files:
        file_type = uploads.check_attachment(upload)
        digest = uploads.sha256_of(upload)
        attachment = ApplicationAttachment(
            application=application,
            original_name=uploads.safe_name(upload.name),
            content_type=file_type.content_type,
            size=upload.size,
            sha256=digest,
            uploaded_by=user,
        )
        upload.seek(0)
        attachment.file.save(uploads.stored_name(digest, upload), upload, save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
        stored.append(attachment)
    return stored


@audit.action
def file_application(
    *,
    user,
    network: Network,
    kind: str,
    service: Service,
    capacity: Decimal,
    unit: str,
    orp_codes: Sequence[int] = (),
    municipality_codes: Sequence[str] = (),
    tier: Tier | None = None,
    financing_category: str = "",
    justification: str,
    files: Sequence[UploadedFile] = (),
) -> Application:
    """File an application for ``service`` – a registry service the user's provider organisation reaches through
    its VERIFIED link (the organisation is the service's; its editors and administrators file). A: a service not
    in the network's current version; B and C: a service in it."""
    scope = Scope.for_user(user)
    organisations = [o.pk for o in selectors.filing_organisations(scope)]
    _require(bool(organisations), _("Only editors of a provider organisation file applications."))
    service = selectors.filing_services(organisations, network).filter(pk=service.pk).first()
    if service is None:
        raise _refuse(
            _("The service is not one of your verified services in the network's region."), Code.NOT_VERIFIED, "service"
        )
    organisation = Organisation.objects.get(provider_link__provider_id=service.provider_id)
    if kind not in Kind.values:
        raise _refuse(_("Choose the kind of application."), Code.INVALID_VALUE, "kind")
    version = selectors.current_version(network)
    if version is None:
        raise _refuse(_("The network has no version yet."), Code.INVALID_STATE)
    in_network = service.pk in selectors.services_in_version(version)
    if kind == Kind.NEW and in_network:
        raise _refuse(_("The service is already in the network: file application B or C."), Code.INVALID_VALUE, "kind")
    if kind != Kind.NEW and not in_network:
        raise _refuse(_("The service is not in the network yet: file application A."), Code.INVALID_VALUE, "kind")
    if kind == Kind.NEW and tier is not None and tier.frozen:
        raise _refuse(
            _("The tier “%(tier)s” is frozen: it takes no new services.") % {"tier": tier.name},
            Code.FROZEN_TIER,
            "tier",
        )
    if Application.objects.filter(network=network, service=service, state__in=selectors.OPEN_STATES).exists():
        raise _refuse(_("The service already has an open application in this network."), Code.DUPLICATE, "service")
    orps, municipalities = _check_terms(
        network=network,
        capacity=capacity,
        unit=unit,
        orp_codes=orp_codes,
        municipality_codes=municipality_codes,
        tier=tier,
        financing_category=financing_category,
    )
    justification = _clean_text(justification, "justification", _("the justification"))
    _check_files(None, files)
    application = Application.objects.create(
        network=network,
        organisation=organisation,
        kind=kind,
        service=service,
        capacity=capacity,
        unit=unit,
        orp_codes=orps,
        municipality_codes=municipalities,
        tier=tier,
        financing_category=financing_category,
        justification=justification,
        submitted_at=timezone.now(),
        created_by=user,
    )
    _store_files(application, files, user)
    step = _step(application, State.SUBMITTED, "", user)
    notify.state_changed(application, step)
    if kind in selectors.STATEMENT_KINDS:
        notify.statement_requested(application)
    return application


@audit.action
def correct_application(
    *,
    user,
    application: Application,
    capacity: Decimal,
    unit: str,
    orp_codes: Sequence[int] = (),
    municipality_codes: Sequence[str] = (),
    tier: Tier | None = None,
    financing_category: str = "",
    justification: str,
    note: str = "",
    files: Sequence[UploadedFile] = (),
) -> Application:
    """The provider corrects a returned application and submits it again."""
    application = _locked(application)
    _require(
        Scope.for_user(user).has_perm(Perm.EDIT, application.organisation_id),
        _("Only the provider's editors correct the application."),
    )
    if application.state != State.RETURNED:
        raise _refuse(_("Only a returned application can be corrected."), Code.INVALID_STATE)
    if application.kind == Kind.NEW and tier is not None and tier.frozen:
        raise _refuse(
            _("The tier “%(tier)s” is frozen: it takes no new services.") % {"tier": tier.name},
            Code.FROZEN_TIER,
            "tier",
        )
    orps, municipalities = _check_terms(
        network=application.network,
        capacity=capacity,
        unit=unit,
        orp_codes=orp_codes,
        municipality_codes=municipality_codes,
        tier=tier,
        financing_category=financing_category,
    )
    application.justification = _clean_text(justification, "justification", _("the justification"))
    note = _clean_text(note, "note", _("the note"), required=False)
    _check_files(application, files)
    application.capacity, application.unit, application.tier = capacity, unit, tier
    application.orp_codes, application.municipality_codes = orps, municipalities
    application.financing_category = financing_category
    application.state = State.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    _store_files(application, files, user)
    step = _step(application, State.SUBMITTED, note or _("Corrected and submitted again."), user)
    notify.state_changed(application, step)
    return application


@audit.action
def add_attachments(*, user, application: Application, files: Sequence[UploadedFile]) -> list[ApplicationAttachment]:
    """The provider's editors attach files to an application not yet decided."""
    application = _locked(application)
    _require(
        Scope.for_user(user).has_perm(Perm.EDIT, application.organisation_id),
        _("Only the provider's editors attach files."),
    )
    if application.state not in selectors.OPEN_STATES:
        raise _refuse(_("A decided or withdrawn application takes no more files."), Code.INVALID_STATE)
    if not files:
        raise _refuse(_("Choose a file."), Code.BAD_FILE, "files")
    _check_files(application, files)
    return _store_files(application, files, user)


# --- the workflow --------------------------------------------------------------------------------------------


def next_states(scope: Scope, application: Application) -> list[str]:
    """States the user may move the application to with :func:`move_application` (not the decision)."""
    states: list[str] = []
    if permissions.can_manage(scope, application.network):
        states += MANAGER_MOVES.get(application.state, ())
    if application.state in selectors.OPEN_STATES and scope.has_perm(Perm.EDIT, application.organisation_id):
        states.append(State.WITHDRAWN)
    return states


@audit.action
def move_application(*, user, application: Application, state: str, note: str = "") -> ApplicationStep:
    """One move of the workflow: the manager's (formal check, evaluation, proposal, return for completion) or the
    provider's withdrawal. For A and C the application goes to evaluation only with a municipality's statement."""
    application = _locked(application)
    scope = Scope.for_user(user)
    if state == State.WITHDRAWN:
        _require(
            scope.has_perm(Perm.EDIT, application.organisation_id),
            _("Only the provider's editors withdraw the application."),
        )
    else:
        _require(permissions.can_manage(scope, application.network), _("Only the network's manager moves it."))
    if state not in next_states(scope, application):
        raise _refuse(
            _("The application cannot go from “%(old)s” to “%(new)s”.")
            % {"old": application.get_state_display(), "new": State(state).label if state in State.values else state},
            Code.INVALID_STATE,
            "state",
        )
    note = _clean_text(note, "note", _("the reason"), required=state in NOTE_REQUIRED)
    if (
        state == State.EVALUATION
        and application.kind in selectors.STATEMENT_KINDS
        and not application.statements.exists()
    ):
        raise _refuse(
            _("Applications A and C go to evaluation only with a municipality's statement of need."),
            Code.STATEMENT_MISSING,
            "state",
        )
    if state == State.PROPOSAL:
        application.rule_set, application.parameter_set, application.score_snapshot = score_snapshot(application)
    application.state = state
    application.save()
    step = _step(application, state, note, user)
    notify.state_changed(application, step)
    return step


@audit.action
def decide_application(
    *,
    user,
    application: Application,
    approve: bool,
    decision_body: str,
    resolution_number: str,
    decision_date: date,
    reasons: str,
) -> Application:
    """The decision on a proposed application by the deciding body (recorded by the manager): the rules and
    scores in force are stored with it; approval makes a new network version with the application's entry."""
    application = _locked(application)
    scope = Scope.for_user(user)
    _require(permissions.can_manage(scope, application.network), _("Only the network's manager records decisions."))
    if application.state != State.PROPOSAL:
        raise _refuse(_("Only a proposed application can be decided."), Code.INVALID_STATE)
    decision_body = _clean_text(decision_body, "decision_body", _("the deciding body"))[:200]
    resolution_number = _clean_text(resolution_number, "resolution_number", _("the resolution number"))[:100]
    reasons = _clean_text(reasons, "reasons", _("the reasons"))
    if decision_date is None:
        raise _refuse(_("Fill in the date of the decision."), Code.INVALID_VALUE, "decision_date")
    if decision_date > timezone.localdate():
        raise _refuse(_("The date of the decision cannot be in the future."), Code.INVALID_VALUE, "decision_date")
    application.rule_set, application.parameter_set, application.score_snapshot = score_snapshot(application)
    application.decision_body, application.resolution_number = decision_body, resolution_number
    application.decision_date, application.reasons = decision_date, reasons
    application.state = State.APPROVED if approve else State.REJECTED
    if approve:
        application.resulting_version = _apply_to_network(user, application)
    application.save()
    step = _step(application, application.state, reasons, user)
    notify.state_changed(application, step)
    return application


def _apply_to_network(user, application: Application):
    from qmss.network.actions_networks import EntryChange, new_version

    change = EntryChange(
        service_id=application.service_id,
        unit=application.unit,
        capacity=application.capacity,
        tier_id=application.tier_id,
        orp_codes=list(application.orp_codes or []),
        municipality_codes=list(application.municipality_codes or []),
        financing_category=application.financing_category or None,
        note=_("Application %(kind)s of %(date)s")
        % {"kind": application.kind, "date": application.decision_date.strftime("%d. %m. %Y")},
    )
    note = _("Decision on application %(kind)s: %(service)s (resolution %(number)s)") % {
        "kind": application.kind,
        "service": application.service.name,
        "number": application.resolution_number,
    }
    return new_version(
        user=user, network=application.network, note=note[:500], changes=[change], application=application
    )


# --- statements of need --------------------------------------------------------------------------------------


@audit.action
def file_statement(
    *, user, application: Application, organisation: Organisation, position: str, text: str
) -> MunicipalityStatement:
    """A municipality's statement of need (a second one replaces its first), by the municipality's editors and
    administrators, while the application is open, for a municipality in the territory the application serves."""
    application = _locked(application)
    scope = Scope.for_user(user)
    allowed = {o.pk for o in selectors.statement_organisations(scope, application)}
    _require(
        organisation.kind == OrganisationKind.MUNICIPALITY and organisation.pk in allowed,
        _("Only a municipality in the territory the application serves files a statement."),
    )
    if application.state not in selectors.OPEN_STATES:
        raise _refuse(_("A decided or withdrawn application takes no statements."), Code.INVALID_STATE)
    if position not in MunicipalityStatement.Position.values:
        raise _refuse(_("Choose the municipality's position."), Code.INVALID_VALUE, "position")
    text = _clean_text(text, "text", _("the statement"))
    statement, _created = MunicipalityStatement.objects.update_or_create(
        application=application,
        organisation=organisation,
        defaults={"position": position, "text": text, "created_by": user},
    )
    notify.statement_filed(application, statement)
    return statement
