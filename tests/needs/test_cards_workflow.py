"""A kind card's consultation from end to end: the region drafts the card from the QMSS model card, sends it to the
providers of the kind, two providers comment, the region settles every comment and publishes version N; the
public sees only published versions. Permissions and tenancy around it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmss.assessments.testing import link_provider_to_registry
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.needs import actions_cards as actions
from qmss.needs.error_codes import NeedsErrorCode
from qmss.needs.models import CardComment, ConsultationMeeting, KindCard
from qmss.needs.testing_cards import load_card_libraries, make_card, make_comment, make_consultation
from qmss.testing.factories import make_org, make_user

pytestmark = pytest.mark.django_db


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def world(tenant_a, tenant_b):
    load_card_libraries()
    region = tenant_a.region
    first = tenant_a.orgs[OrganisationKind.PROVIDER]
    link_provider_to_registry(first, service_name="Domov Na Kopci", region=region, kind="13")
    second = make_org(OrganisationKind.PROVIDER, "Domov Pod Skalou o.p.s.", region=region, ico="77000002")
    link_provider_to_registry(second, service_name="Domov Pod Skalou", region=region, kind="13")
    other_kind = make_org(OrganisationKind.PROVIDER, "Pečovatelé z Lesa", region=region, ico="77000003")
    link_provider_to_registry(other_kind, service_name="Pečovatelská služba Les", region=region, kind="4")
    users = {
        "region": tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER),
        "region_reader": tenant_a.user(OrganisationKind.REGION, Role.READER),
        "first": tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR),
        "first_reader": tenant_a.user(OrganisationKind.PROVIDER, Role.READER),
        "second": make_user("druhy-poskytovatel", org=second, role=Role.EDITOR),
        "other_kind": make_user("jiny-druh", org=other_kind, role=Role.ADMIN),
        "b_region": tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
        "b_provider": tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN),
    }
    return {"region": region, "first": first, "second": second, "other_kind": other_kind, "users": users}


def _detail(card) -> str:
    return reverse("needs:card_detail", kwargs={"kind_card_pk": card.pk})


def _edit_data(card, *, purpose: str, needs: dict[str, list[str]]) -> dict:
    """POST data of the edit form: the card's texts, all its activities, the given needs with their activities."""
    from qmss.needs.models import Need

    activity_ids = {a.code: a.pk for a in card.kind.activities.all()}
    data = {
        "purpose": purpose,
        "public_expectations": "Pomůžeme vám se vším, co sami nezvládnete.",
        "capacity_type": card.capacity_type_id or "",
        "activities": [activity_ids[code] for code in ("UBY", "STR", "PVO", "HYG", "VVA", "KSP", "STC", "PUP")],
    }
    for need in Need.objects.filter(taxonomy=card.taxonomy, code__in=needs):
        data[f"need_{need.pk}"] = "on"
        data[f"need_{need.pk}_activities"] = [activity_ids[code] for code in needs[need.code]]
        data[f"need_{need.pk}_note"] = f"Poznámka k {need.code}"
    return data


def test_consultation_from_draft_to_published_version(world, django_capture_on_commit_callbacks):
    users = world["users"]
    region = world["region"]
    staff = client(users["region"])

    # the region drafts the card of homes for the elderly from the QMSS model card
    response = staff.post(reverse("needs:card_create"), {"region": region.code, "kind": "13"})
    card = KindCard.objects.get(region=region, kind__code="13")
    assert response.status_code == 302 and response.url == _detail(card)
    assert card.state == KindCard.State.DRAFT and card.version == 1 and card.based_on.region is None
    assert card.needs.count() == card.based_on.needs.count() > 0

    # ... edits it (a usable form without JavaScript)
    assert staff.get(reverse("needs:card_edit", kwargs={"kind_card_pk": card.pk})).status_code == 200
    data = _edit_data(card, purpose="Domov pro seniory v našem kraji.", needs={"hygiene": ["HYG"], "eating": ["STR"]})
    response = staff.post(reverse("needs:card_edit", kwargs={"kind_card_pk": card.pk}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    card.refresh_from_db()
    assert card.purpose == "Domov pro seniory v našem kraji."
    assert sorted(card.needs.values_list("need__code", flat=True)) == ["eating", "hygiene"]
    assert list(card.needs.get(need__code="eating").activities.values_list("code", flat=True)) == ["STR"]

    # ... and sends it to the providers of the kind in the region (not to the provider of another kind)
    deadline = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("needs:card_consultation_open", kwargs={"kind_card_pk": card.pk}),
            {"message": "Prosíme o připomínky ke kartě.", "deadline": deadline.isoformat()},
        )
    assert response.status_code == 302
    card.refresh_from_db()
    consultation = card.consultation
    assert card.state == KindCard.State.CONSULTATION
    assert set(consultation.recipients.all()) == {world["first"], world["second"]}
    recipients = {address for message in mail.outbox for address in message.to}
    assert users["first"].email in recipients and users["second"].email in recipients
    assert users["other_kind"].email not in recipients and users["first_reader"].email not in recipients

    # two providers comment, per field and per need
    comment_url = reverse("needs:card_comment_create", kwargs={"consultation_pk": consultation.pk})
    page = client(users["first"]).get(_detail(card))
    assert page.status_code == 200 and "Domov pro seniory v našem kraji." in page.content.decode()
    response = client(users["first"]).post(
        comment_url, {"organisation": world["first"].pk, "field": "purpose", "text": "Doplňte respitní pobyty."}
    )
    assert response.status_code == 302
    eating = card.needs.get(need__code="eating").need
    response = client(users["second"]).post(
        comment_url,
        {"organisation": world["second"].pk, "field": "need", "need": eating.pk, "text": "Strava i o víkendu."},
    )
    assert response.status_code == 302
    first_comment, second_comment = consultation.comments.order_by("pk")
    assert (first_comment.organisation, first_comment.field) == (world["first"], "purpose")
    assert (second_comment.organisation, second_comment.need) == (world["second"], eating)

    # a provider sees its own comments only
    page = client(users["first"]).get(_detail(card)).content.decode()
    assert "Doplňte respitní pobyty." in page and "Strava i o víkendu." not in page

    # the region records the meeting
    response = staff.post(
        reverse("needs:card_meeting_create", kwargs={"consultation_pk": consultation.pk}),
        {
            "date": timezone.localdate().isoformat(),
            "place": "Krajský úřad",
            "attendees": "Oba domovy",
            "outcome": "Shoda",
        },
    )
    assert response.status_code == 302 and ConsultationMeeting.objects.filter(consultation=consultation).count() == 1

    # publishing is refused while comments await settlement
    scope = Scope.for_user(users["region"])
    with pytest.raises(ValidationError) as error:
        actions.publish_card(scope=scope, card=card)
    assert error.value.code == NeedsErrorCode.OPEN_COMMENTS.value
    response = staff.post(reverse("needs:card_publish", kwargs={"kind_card_pk": card.pk}))
    card.refresh_from_db()
    assert response.status_code == 200 and card.state == KindCard.State.CONSULTATION

    # settling: a rejection needs its reason
    settle = reverse("needs:card_comment_settle", kwargs={"comment_pk": first_comment.pk})
    response = staff.post(settle, {"status": "rejected", "reason": ""})
    assert response.status_code == 200
    first_comment.refresh_from_db()
    assert first_comment.status == CardComment.Status.OPEN
    with pytest.raises(ValidationError) as error:
        actions.settle_comment(scope=scope, comment=first_comment, status="rejected", reason=" ")
    assert error.value.error_dict["reason"][0].code == NeedsErrorCode.INVALID_VALUE.value
    assert (
        staff.post(settle, {"status": "rejected", "reason": "Respitní pobyty řeší odlehčovací služba."}).status_code
        == 302
    )
    settle_second = reverse("needs:card_comment_settle", kwargs={"comment_pk": second_comment.pk})
    assert staff.post(settle_second, {"status": "accepted", "reason": ""}).status_code == 302
    first_comment.refresh_from_db()
    assert first_comment.status == CardComment.Status.REJECTED and first_comment.settled_by == users["region"]

    # the provider sees the settlement of its comment
    page = client(users["first"]).get(_detail(card)).content.decode()
    assert "Respitní pobyty řeší odlehčovací služba." in page

    # published: version 1, consultation closed, who and when recorded
    assert staff.get(reverse("needs:card_publish", kwargs={"kind_card_pk": card.pk})).status_code == 200
    response = staff.post(reverse("needs:card_publish", kwargs={"kind_card_pk": card.pk}), {"confirm": "1"})
    assert response.status_code == 302
    card.refresh_from_db()
    consultation.refresh_from_db()
    assert card.state == KindCard.State.PUBLISHED and card.version == 1
    assert card.published_by == users["region"] and card.published_at and card.valid_from == timezone.localdate()
    assert consultation.closed_at is not None
    # comments cannot be added to a closed consultation
    response = client(users["first"]).post(
        comment_url, {"organisation": world["first"].pk, "field": "general", "text": "Pozdě"}
    )
    assert response.status_code == 403 and consultation.comments.count() == 2

    # a second version: the published card stays public until the new one is published
    response = staff.post(reverse("needs:card_create"), {"region": region.code, "kind": "13"})
    draft = KindCard.objects.get(region=region, kind__code="13", state=KindCard.State.DRAFT)
    assert draft.version == 2 and draft.based_on == card and draft.needs.count() == 2
    data = _edit_data(draft, purpose="Tajný koncept druhé verze.", needs={"hygiene": ["HYG"]})
    assert staff.post(reverse("needs:card_edit", kwargs={"kind_card_pk": draft.pk}), data).status_code == 302
    public_url = reverse("needs:card_public", kwargs={"region_code": region.code, "card_kind_code": "13"})
    page = client().get(public_url).content.decode()
    assert "Domov pro seniory v našem kraji." in page and "Tajný koncept druhé verze." not in page
    actions.publish_card(scope=scope, card=draft)
    card.refresh_from_db()
    assert card.state == KindCard.State.SUPERSEDED and card.valid_to == timezone.localdate()
    page = client().get(public_url).content.decode()
    assert "Tajný koncept druhé verze." in page
    older = client().get(public_url, {"verze": "1"}).content.decode()
    assert "Domov pro seniory v našem kraji." in older and "Tajný koncept druhé verze." not in older


def test_public_sees_only_published_versions(world):
    region = world["region"]
    make_card(region, "13", state=KindCard.State.PUBLISHED, purpose="Zveřejněná karta domova.")
    draft = make_card(region, "13", purpose="Koncept, který veřejnost nesmí vidět.")
    make_consultation(draft, [world["first"]], message="Zpráva poskytovatelům")
    consultation_only = make_card(region, "14", purpose="Karta jen v konzultaci.")
    make_consultation(consultation_only, [world["first"]])
    anonymous = client()
    card_url = reverse("needs:card_public", kwargs={"region_code": region.code, "card_kind_code": "13"})
    page = anonymous.get(card_url).content.decode()
    assert "Zveřejněná karta domova." in page and "Koncept, který" not in page
    assert anonymous.get(card_url, {"verze": "2"}).status_code == 404  # the draft's version number
    only = reverse("needs:card_public", kwargs={"region_code": region.code, "card_kind_code": "14"})
    assert anonymous.get(only).status_code == 404
    listing = anonymous.get(reverse("needs:card_public_region", kwargs={"region_code": region.code})).content.decode()
    assert "domovy pro seniory" in listing.lower() and "zvláštním režimem" not in listing.lower()
    api = anonymous.get("/api/v1/needs/kind-cards", {"region": region.code}).json()
    assert [(c["kind"], c["version"]) for c in api] == [("13", 1)]
    assert api[0]["purpose"] == "Zveřejněná karta domova." and api[0]["needs"]
    assert anonymous.get(f"/api/v1/needs/kind-cards/{api[0]['id']}").status_code == 200
    assert anonymous.get(f"/api/v1/needs/kind-cards/{draft.pk}").status_code == 404
    assert anonymous.get(f"/api/v1/needs/kind-cards/{consultation_only.pk}").status_code == 404


def test_only_providers_asked_may_comment(world):
    users = world["users"]
    card = make_card(world["region"], "13")
    consultation = make_consultation(card, [world["first"]])
    url = reverse("needs:card_comment_create", kwargs={"consultation_pk": consultation.pk})
    # a provider of the region that was not asked: neither the card nor the comment form
    other = client(users["other_kind"])
    assert other.get(_detail(card)).status_code == 404
    assert other.post(url, {"organisation": world["other_kind"].pk, "field": "general", "text": "x"}).status_code == 404
    # a reader of a provider asked sees the draft but may not comment
    reader = client(users["first_reader"])
    assert reader.get(_detail(card)).status_code == 200
    assert reader.post(url, {"organisation": world["first"].pk, "field": "general", "text": "x"}).status_code == 403
    # the action refuses too, whatever organisation is named
    with pytest.raises(PermissionDenied):
        actions.add_comment(
            scope=Scope.for_user(users["other_kind"]),
            consultation=consultation,
            organisation=world["other_kind"],
            field="general",
            text="Nejsme osloveni",
        )
    with pytest.raises(PermissionDenied):
        actions.add_comment(
            scope=Scope.for_user(users["other_kind"]),
            consultation=consultation,
            organisation=world["first"],
            field="general",
            text="Za cizí organizaci",
        )
    assert not CardComment.objects.exists()


def test_tenant_b_cannot_see_or_change_a_consultation(world):
    users = world["users"]
    card = make_card(world["region"], "13", purpose="Tajný koncept kraje A.")
    consultation = make_consultation(card, [world["first"]], message="Tajná zpráva kraje A")
    comment = make_comment(consultation, world["first"], "Tajná připomínka poskytovatele A")
    urls = [
        _detail(card),
        reverse("needs:card_edit", kwargs={"kind_card_pk": card.pk}),
        reverse("needs:card_publish", kwargs={"kind_card_pk": card.pk}),
        reverse("needs:card_consultation_open", kwargs={"kind_card_pk": card.pk}),
        reverse("needs:card_meeting_create", kwargs={"consultation_pk": consultation.pk}),
        reverse("needs:card_comment_create", kwargs={"consultation_pk": consultation.pk}),
        reverse("needs:card_comment_settle", kwargs={"comment_pk": comment.pk}),
    ]
    for key in ("b_region", "b_provider"):
        visitor = client(users[key])
        for url in urls:
            for response in (
                visitor.get(url),
                visitor.post(url, {"status": "accepted", "text": "x", "field": "general"}),
            ):
                assert response.status_code in (403, 404), (key, url, response.status_code)
                assert "Tajn" not in response.content.decode()
        index = visitor.get(reverse("needs:card_index"), {"region": world["region"].code}).content.decode()
        assert "Tajn" not in index
    comment.refresh_from_db()
    assert comment.status == CardComment.Status.OPEN and consultation.comments.count() == 1
    # a reader of A's region sees the card but may not change it
    reader = client(users["region_reader"])
    assert reader.get(_detail(card)).status_code == 200
    assert reader.get(reverse("needs:card_edit", kwargs={"kind_card_pk": card.pk})).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.settle_comment(
            scope=Scope.for_user(users["region_reader"]), comment=comment, status="accepted", reason=""
        )


def test_dashboards_lead_to_the_cards(world):
    users = world["users"]
    card = make_card(world["region"], "13")
    consultation = make_consultation(card, [world["first"]])
    make_comment(consultation, world["first"], "Připomínka čeká")
    home = client(users["region"]).get(reverse("home")).content.decode()
    assert _detail(card) in home and reverse("needs:card_index") in home
    assert _detail(card) in client(users["first"]).get(reverse("home")).content.decode()
    assert _detail(card) not in client(users["other_kind"]).get(reverse("home")).content.decode()
    index = client(users["first"]).get(reverse("needs:card_index")).content.decode()
    assert _detail(card) in index


def test_one_working_card_per_kind_and_only_region_staff_create(world):
    users = world["users"]
    region = world["region"]
    scope = Scope.for_user(users["region"])
    from qmss.registry.models import ServiceKind

    kind = ServiceKind.objects.get(code="13")
    actions.create_draft(scope=scope, region=region, kind=kind)
    with pytest.raises(ValidationError) as error:
        actions.create_draft(scope=scope, region=region, kind=kind)
    assert error.value.code == NeedsErrorCode.DUPLICATE.value
    for key in ("first", "region_reader", "b_region"):
        with pytest.raises(PermissionDenied):
            actions.create_draft(
                scope=Scope.for_user(users[key]), region=region, kind=ServiceKind.objects.get(code="4")
            )
    response = client(users["b_region"]).post(reverse("needs:card_create"), {"region": region.code, "kind": "4"})
    assert response.status_code == 404 and KindCard.objects.filter(region=region).count() == 1


def test_every_write_is_audited_with_its_actor(world):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from qmss.needs.models import Consultation
    from qmss.registry.models import ServiceKind

    users = world["users"]
    staff = Scope.for_user(users["region"])
    card = actions.create_draft(scope=staff, region=world["region"], kind=ServiceKind.objects.get(code="13"))
    lines = [actions.NeedLine(need=line.need, activities=list(line.activities.all())) for line in card.needs.all()[:2]]
    actions.update_draft(
        scope=staff,
        card=card,
        purpose="Nový účel",
        public_expectations="Nová očekávání",
        capacity_type=card.capacity_type,
        activities=list(card.activities.all()),
        needs=lines,
    )
    consultation = actions.open_consultation(scope=staff, card=card, message="Prosíme", deadline=None)
    comment = actions.add_comment(
        scope=Scope.for_user(users["first"]),
        consultation=consultation,
        organisation=world["first"],
        field="general",
        text="Souhlasíme",
    )
    actions.settle_comment(scope=staff, comment=comment, status="accepted", reason="")
    actions.publish_card(scope=staff, card=card)

    def entries(model, pk):
        return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_pk=str(pk))

    card_entries = entries(KindCard, card.pk)
    assert card_entries.filter(action=LogEntry.Action.CREATE, actor=users["region"]).exists()
    assert card_entries.filter(action=LogEntry.Action.UPDATE, actor=users["region"]).count() >= 3
    assert entries(Consultation, consultation.pk).filter(actor=users["region"]).count() >= 2  # created, recipients
    comment_entries = entries(CardComment, comment.pk)
    assert comment_entries.filter(action=LogEntry.Action.CREATE, actor=users["first"]).exists()
    assert comment_entries.filter(action=LogEntry.Action.UPDATE, actor=users["region"]).exists()


def test_providers_with_an_ended_service_are_not_asked(world):
    from datetime import date

    from qmss.needs.selectors_cards import consultation_candidates
    from qmss.registry.models import Service, ServiceKind

    kind = ServiceKind.objects.get(code="13")
    assert set(consultation_candidates(world["region"], kind)) == {world["first"], world["second"]}
    Service.objects.filter(provider__link__organisation=world["second"]).update(date_to=date(2020, 12, 31))
    assert set(consultation_candidates(world["region"], kind)) == {world["first"]}
