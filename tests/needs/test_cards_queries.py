"""Query budgets: the region's list of kind cards and a card's consultation page make the same number of queries
however many cards, recipients, comments and meetings they show."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.models import CardComment, ConsultationMeeting, KindCard
from qmss.needs.testing_cards import load_card_libraries, make_card, make_comment, make_consultation
from qmss.testing.factories import make_org
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CARD_LINK = re.compile(r"/potreby/karty-druhu/\d+/")
MODEL_KINDS = ["4", "13", "14", "8", "3", "10", "1", "9", "29", "5"]


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_card_list_is_constant(tenant_a):
    load_card_libraries()
    region = tenant_a.region
    provider = tenant_a.orgs[OrganisationKind.PROVIDER]
    staff = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    url = reverse("needs:card_index")

    def grow(n):
        done = set(KindCard.objects.filter(region=region).values_list("kind__code", flat=True))
        for code in [c for c in MODEL_KINDS[:n] if c not in done]:
            make_card(region, code, state=KindCard.State.PUBLISHED)
            working = make_card(region, code, purpose=f"Koncept {code}")
            consultation = make_consultation(working, [provider])
            make_comment(consultation, provider, f"Připomínka {code}")

    assert_constant_queries(
        lambda: staff.get(url),
        grow,
        count=KindCard.objects.filter(region=region),
        small=1,
        large=8,
        max_queries=20,
        rows=lambda response: len(CARD_LINK.findall(response.content.decode())),
    )


def test_consultation_page_is_constant(tenant_a):
    load_card_libraries()
    region = tenant_a.region
    card = make_card(region, "13")
    consultation = make_consultation(card, [tenant_a.orgs[OrganisationKind.PROVIDER]])
    staff = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    url = reverse("needs:card_detail", kwargs={"kind_card_pk": card.pk})

    def grow(n):
        for i in range(consultation.comments.count(), n):
            org = make_org(OrganisationKind.PROVIDER, f"Poskytovatel {i}", region=region)
            consultation.recipients.add(org)
            comment = make_comment(consultation, org, f"Připomínka {i}")
            if i % 2:
                comment.status = CardComment.Status.REJECTED
                comment.reason = f"Důvod {i}"
                comment.settled_by = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
                comment.save()
            ConsultationMeeting.objects.create(
                consultation=consultation, date=timezone.localdate(), place=f"Místo {i}", attendees="A", outcome="B"
            )

    assert_constant_queries(
        lambda: staff.get(url), grow, count=consultation.comments, small=1, large=12, max_queries=25
    )
