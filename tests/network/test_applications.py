"""Applications to a network – the actions: filing A/B/C through the verified link only, the workflow moved by the
network's manager only, the municipality's statement as an admission test, attachments within bounds, the
decision storing the rules and scores and making a new network version; e-mails after commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.network import actions_applications as actions
from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.models import Application, ApplicationAttachment, ApplicationStep, NetworkEntry
from qmss.network.selectors_networks import current_version
from qmss.network.testing_applications import make_application, make_statement, provider_service
from qmss.network.testing_networks import make_network
from qmss.testing.factories import make_municipality, make_org, make_user

State = Application.State
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class World:
    def __init__(self, a, b):
        self.a, self.b = a, b
        self.in_network = provider_service(a, name="Domov v síti")
        self.new = provider_service(a, name="Nový domov")
        self.network = make_network(a, services=[self.in_network])
        self.provider = a.orgs[OrganisationKind.PROVIDER]
        self.editor = a.user(OrganisationKind.PROVIDER, Role.EDITOR)
        self.manager = a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
        self.municipality_org = a.orgs[OrganisationKind.MUNICIPALITY]
        self.municipality_editor = a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR)

    def file(self, *, user=None, kind="A", service=None, **kw):
        values = {
            "capacity": Decimal(20),
            "unit": "luzka",
            "orp_codes": [self.a.municipality.orp.ruian_code],
            "municipality_codes": [],
            "tier": None,
            "financing_category": "kraj",
            "justification": "Pořadník 40 zájemců v ORP.",
        }
        values.update(kw)
        return actions.file_application(
            user=user or self.editor, network=self.network, kind=kind, service=service or self.new, **values
        )

    def move(self, application, state, note="", user=None):
        return actions.move_application(user=user or self.manager, application=application, state=state, note=note)

    def decide(self, application, approve=True, user=None, **kw):
        values = {
            "decision_body": "Rada kraje",
            "resolution_number": "RK 12/2026",
            "decision_date": timezone.localdate(),
            "reasons": "Potřeba je doložena.",
        }
        values.update(kw)
        return actions.decide_application(user=user or self.manager, application=application, approve=approve, **values)


@pytest.fixture
def world(tenant_a, tenant_b):
    return World(tenant_a, tenant_b)


def _code(exc) -> str:
    error = exc.value
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


# --- filing ----------------------------------------------------------------------------------------------------


def test_provider_files_application_a_for_its_verified_service(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = world.file()
    assert application.state == State.SUBMITTED and application.organisation == world.provider
    assert application.orp_codes == [world.a.municipality.orp.ruian_code]
    assert list(application.steps.values_list("state", flat=True)) == [State.SUBMITTED]
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert world.manager.email in recipients and world.editor.email in recipients
    assert world.municipality_editor.email in recipients  # asked for the statement of need (A)
    asked = [mail for mail in mailoutbox if world.municipality_editor.email in mail.to]
    assert len(asked) == 1 and world.manager.email not in asked[0].to
    assert "/sit/zadosti/" in asked[0].body and "Nový domov" in asked[0].body


def test_nothing_is_mailed_when_the_filing_rolls_back(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        world.file(files=[SimpleUploadedFile("virus.exe", b"MZ...")])
    assert mailoutbox == [] and not Application.objects.exists()


def test_a_only_for_a_service_outside_the_network_and_b_c_only_inside(world):
    with pytest.raises(ValidationError) as exc:
        world.file(kind="A", service=world.in_network)
    assert _code(exc) == Code.INVALID_VALUE.value
    for kind in ("B", "C"):
        with pytest.raises(ValidationError):
            world.file(kind=kind, service=world.new)
    assert world.file(kind="B", service=world.in_network).kind == "B"


def test_foreign_provider_cannot_file_for_a_service_it_is_not_verified_for(world):
    foreign = world.b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    with pytest.raises(ValidationError) as exc:
        world.file(user=foreign)
    assert _code(exc) == Code.NOT_VERIFIED.value
    # an organisation with the provider's IČO but no verified link grants nothing either
    twin = make_org(OrganisationKind.PROVIDER, "Dvojník", ico=world.provider.ico, region=world.a.region)
    with pytest.raises(ValidationError):
        world.file(user=make_user("dvojnik", org=twin, role=Role.EDITOR))
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.PROVIDER, Role.READER),
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.MUNICIPALITY, Role.EDITOR),
    ],
)
def test_only_provider_editors_file(world, kind, role):
    with pytest.raises(PermissionDenied):
        world.file(user=world.a.user(kind, role))


def test_territory_must_lie_in_the_networks_region(world):
    with pytest.raises(ValidationError) as exc:
        world.file(orp_codes=[world.b.municipality.orp.ruian_code])
    assert _code(exc) == Code.UNKNOWN_TERRITORY.value
    with pytest.raises(ValidationError):
        world.file(orp_codes=[], municipality_codes=[world.b.municipality.code])
    with pytest.raises(ValidationError):
        world.file(orp_codes=[], municipality_codes=[])


def test_terms_are_checked(world):
    for bad in ({"capacity": Decimal(0)}, {"unit": "kozy"}, {"financing_category": "loterie"}, {"justification": " "}):
        with pytest.raises(ValidationError):
            world.file(**bad)
    other_tier = make_network(world.a).tiers.first()
    with pytest.raises(ValidationError):
        world.file(tier=other_tier)
    frozen = world.network.tiers.get(code="rozvojova")
    frozen.frozen = True
    frozen.save()
    with pytest.raises(ValidationError) as exc:
        world.file(tier=frozen)
    assert _code(exc) == Code.FROZEN_TIER.value


def test_one_open_application_per_service(world):
    world.file()
    with pytest.raises(ValidationError) as exc:
        world.file()
    assert _code(exc) == Code.DUPLICATE.value


# --- attachments -----------------------------------------------------------------------------------------------


def test_attachments_are_stored_with_their_digest(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = world.file(files=[SimpleUploadedFile("Rozpočet 2026.pdf", PDF)])
    attachment = application.attachments.get()
    import hashlib

    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.original_name == "Rozpočet 2026.pdf" and attachment.size == len(PDF)
    assert "Rozpočet" not in attachment.file.name  # stored under its digest
    assert attachment.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("program.exe", b"MZ\x90\x00"),  # type not allowed
        ("smlouva.pdf", b"not a pdf at all"),  # content does not match the extension
        ("prazdny.pdf", b""),  # empty
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_written(world, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as exc:
        world.file(files=[SimpleUploadedFile(name, content)])
    assert _code(exc) == Code.BAD_FILE.value
    assert not Application.objects.exists() and not ApplicationAttachment.objects.exists()


def test_attachment_size_and_count_are_bounded(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.QMSS_NETWORK_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        world.file(files=[SimpleUploadedFile("velky.pdf", PDF + b"x" * 100)])
    settings.QMSS_NETWORK_ATTACHMENT_MAX_BYTES = 10_000
    settings.QMSS_NETWORK_ATTACHMENT_MAX_FILES = 2
    application = world.file(files=[SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(2)])
    with pytest.raises(ValidationError):
        actions.add_attachments(user=world.editor, application=application, files=[SimpleUploadedFile("3.pdf", PDF)])
    assert application.attachments.count() == 2


def test_only_provider_editors_attach_and_only_while_open(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = world.file()
    for user in (world.manager, world.a.user(OrganisationKind.PROVIDER, Role.READER)):
        with pytest.raises(PermissionDenied):
            actions.add_attachments(user=user, application=application, files=[SimpleUploadedFile("a.pdf", PDF)])
    world.move(application, State.WITHDRAWN, user=world.editor)
    with pytest.raises(ValidationError):
        actions.add_attachments(user=world.editor, application=application, files=[SimpleUploadedFile("a.pdf", PDF)])


# --- the workflow ----------------------------------------------------------------------------------------------


def test_full_workflow_approval_creates_a_new_network_version(world, mailoutbox, django_capture_on_commit_callbacks):
    application = world.file(capacity=Decimal(25))
    world.move(application, State.FORMAL_CHECK)
    with pytest.raises(ValidationError) as exc:
        world.move(application, State.EVALUATION)  # A without the municipality's statement
    assert _code(exc) == Code.STATEMENT_MISSING.value
    actions.file_statement(
        user=world.municipality_editor,
        application=application,
        organisation=world.municipality_org,
        position="supports",
        text="Obec potřebu potvrzuje.",
    )
    world.move(application, State.EVALUATION)
    world.move(application, State.PROPOSAL, note="Doporučeno radě.")
    application.refresh_from_db()
    assert application.rule_set is not None and application.parameter_set is not None
    assert application.score_snapshot["key"] == f"a{application.pk}" and "total" in application.score_snapshot
    before = current_version(world.network)
    with django_capture_on_commit_callbacks(execute=True):
        world.decide(application)
    application.refresh_from_db()
    version = current_version(world.network)
    assert application.state == State.APPROVED and application.resulting_version == version
    assert version.number == before.number + 1 and version.application == application
    entry = NetworkEntry.objects.get(version=version, service=world.new)
    assert entry.capacity == Decimal(25) and entry.unit == "luzka"
    assert entry.orp_codes == [world.a.municipality.orp.ruian_code] and entry.financing_category == "kraj"
    assert NetworkEntry.objects.filter(version=version, service=world.in_network).exists()  # copied
    assert application.rule_set is not None and application.decision_body == "Rada kraje"
    snapshot = application.score_snapshot
    assert snapshot["key"] == f"a{application.pk}" and snapshot["rule_set_version"] == application.rule_set.version
    assert {c["key"] for c in snapshot["criteria"]} >= {"quality", "availability", "need", "cost"}
    assert list(application.steps.values_list("state", flat=True)) == [
        State.SUBMITTED,
        State.FORMAL_CHECK,
        State.EVALUATION,
        State.PROPOSAL,
        State.APPROVED,
    ]
    assert application.steps.last().note == "Potřeba je doložena."
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert {world.editor.email, world.manager.email, world.municipality_editor.email} <= recipients


def test_change_b_changes_the_capacity_of_the_entry(world):
    application = make_application(world.network, world.in_network, kind="B", state=State.PROPOSAL, capacity=55)
    world.decide(application)
    entry = NetworkEntry.objects.get(version=current_version(world.network), service=world.in_network)
    assert entry.capacity == Decimal(55)


def test_rejection_keeps_the_network_and_shows_reasons(world):
    application = make_application(world.network, world.new, state=State.PROPOSAL)
    before = current_version(world.network)
    world.decide(application, approve=False, reasons="Kapacita v ORP je dostatečná.")
    application.refresh_from_db()
    assert application.state == State.REJECTED and application.resulting_version is None
    assert current_version(world.network) == before
    assert application.reasons == "Kapacita v ORP je dostatečná."


def test_decision_needs_its_record_and_a_proposal(world):
    application = make_application(world.network, world.new, state=State.EVALUATION)
    with pytest.raises(ValidationError):
        world.decide(application)
    application = make_application(world.network, world.in_network, kind="C", state=State.PROPOSAL)
    for bad in (
        {"reasons": ""},
        {"resolution_number": ""},
        {"decision_date": timezone.localdate() + timedelta(days=1)},
    ):
        with pytest.raises(ValidationError):
            world.decide(application, **bad)
    application.refresh_from_db()
    assert application.state == State.PROPOSAL


def test_provider_cannot_move_or_decide(world):
    application = make_application(world.network, world.new, state=State.PROPOSAL)
    for user in (world.editor, world.a.user(OrganisationKind.PROVIDER, Role.ADMIN), world.municipality_editor):
        for approve in (False, True):
            with pytest.raises(PermissionDenied):
                world.decide(application, approve=approve, user=user)
        with pytest.raises(PermissionDenied):
            world.move(application, State.EVALUATION, user=user)
    foreign_manager = world.b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    with pytest.raises(PermissionDenied):
        world.decide(application, user=foreign_manager)
    # a region's reader or admin is no network manager
    for role in (Role.READER, Role.ADMIN):
        with pytest.raises(PermissionDenied):
            world.decide(application, user=world.a.user(OrganisationKind.REGION, role))
    application.refresh_from_db()
    assert application.state == State.PROPOSAL


def test_moves_follow_the_workflow(world):
    application = make_application(world.network, world.new)
    with pytest.raises(ValidationError):
        world.move(application, State.PROPOSAL)  # no skipping
    world.move(application, State.FORMAL_CHECK)
    with pytest.raises(ValidationError):
        world.move(application, State.RETURNED)  # a return needs its reason
    world.move(application, State.RETURNED, note="Doplňte rozpočet.")
    assert ApplicationStep.objects.filter(application=application, state=State.RETURNED).get().note == (
        "Doplňte rozpočet."
    )
    with pytest.raises(ValidationError):
        world.move(application, State.FORMAL_CHECK)  # the provider corrects first


def test_provider_corrects_a_returned_application_and_submits_again(world):
    application = make_application(world.network, world.new, state=State.RETURNED)
    terms = {
        "capacity": Decimal(12),
        "unit": "luzka",
        "orp_codes": [world.a.municipality.orp.ruian_code],
        "municipality_codes": [],
        "tier": None,
        "financing_category": "",
        "justification": "Doplněno.",
    }
    with pytest.raises(PermissionDenied):
        actions.correct_application(user=world.manager, application=application, **terms)
    actions.correct_application(user=world.editor, application=application, note="Rozpočet přiložen.", **terms)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.capacity == Decimal(12)
    assert application.steps.last().note == "Rozpočet přiložen."
    with pytest.raises(ValidationError):  # only a returned one
        actions.correct_application(user=world.editor, application=application, **terms)


def test_provider_withdraws_before_the_decision_only(world):
    application = make_application(world.network, world.new, state=State.EVALUATION)
    with pytest.raises(PermissionDenied):
        world.move(application, State.WITHDRAWN, user=world.manager)
    world.move(application, State.WITHDRAWN, note="Projekt odložen.", user=world.editor)
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    decided = make_application(world.network, world.in_network, kind="B", state=State.REJECTED)
    with pytest.raises(ValidationError):
        world.move(decided, State.WITHDRAWN, user=world.editor)


def test_b_goes_to_evaluation_without_a_statement(world):
    application = make_application(world.network, world.in_network, kind="B", state=State.FORMAL_CHECK)
    world.move(application, State.EVALUATION)
    application.refresh_from_db()
    assert application.state == State.EVALUATION


# --- statements ------------------------------------------------------------------------------------------------


def test_municipality_outside_the_territory_cannot_file_a_statement(world):
    other = make_municipality(world.a.region, name="Obec mimo")
    other_org = make_org(OrganisationKind.MUNICIPALITY, "Úřad obce mimo", region=world.a.region, municipality=other)
    outsider = make_user("obec-mimo", org=other_org, role=Role.EDITOR)
    application = make_application(world.network, world.new, orp_codes=[world.a.municipality.orp.ruian_code])
    cases = [
        (outsider, other_org),  # its municipality is not served
        (world.b.user(OrganisationKind.MUNICIPALITY, Role.ADMIN), world.b.orgs[OrganisationKind.MUNICIPALITY]),
        (world.a.user(OrganisationKind.MUNICIPALITY, Role.READER), world.municipality_org),  # a reader
        (outsider, world.municipality_org),  # for a municipality the user does not belong to
    ]
    for user, organisation in cases:
        with pytest.raises(PermissionDenied):
            actions.file_statement(
                user=user, application=application, organisation=organisation, position="opposes", text="Ne."
            )
    assert not application.statements.exists()


def test_statement_by_municipality_code_and_replaced_by_a_second_one(world):
    application = make_application(world.network, world.new, municipality_codes=[world.a.municipality.code])
    for position in ("partly", "supports"):
        actions.file_statement(
            user=world.municipality_editor,
            application=application,
            organisation=world.municipality_org,
            position=position,
            text=f"Postoj {position}",
        )
    statement = application.statements.get()
    assert statement.position == "supports" and statement.text == "Postoj supports"


def test_no_statement_on_a_decided_application(world):
    application = make_application(world.network, world.new, state=State.APPROVED)
    with pytest.raises(ValidationError):
        actions.file_statement(
            user=world.municipality_editor,
            application=application,
            organisation=world.municipality_org,
            position="supports",
            text="Ano.",
        )


def test_existing_statement_lets_a_c_application_into_evaluation(world):
    application = make_application(world.network, world.in_network, kind="C", state=State.FORMAL_CHECK)
    make_statement(application, world.municipality_org)
    world.move(application, State.EVALUATION)
    application.refresh_from_db()
    assert application.state == State.EVALUATION
