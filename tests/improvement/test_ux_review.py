"""UX review of issue #9: the plan-draft page is never a dead end."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_draft_page_without_a_published_assessment_leads_on(world):
    """With nothing published, the page says why and links to the assessments and to an empty plan."""
    response = world.client().get(reverse("improvement:plan_draft", kwargs={"organisation_pk": world.provider.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{reverse('assessments:list')}?organisation={world.provider.pk}" in page
    assert reverse("improvement:plan_create", kwargs={"organisation_pk": world.provider.pk}) in page
