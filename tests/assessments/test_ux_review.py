"""UX review of issue #9: the readiness page links each listed criterion to the self-assessment it comes from."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qmss.assessments.testing import make_assessment

pytestmark = pytest.mark.django_db


def test_readiness_criteria_link_to_the_self_assessment(world):
    self_assessment = make_assessment(world.provider, service=world.service, framework=world.framework)
    criterion = world.framework.requirements.filter(assessable=True).order_by("order").first()
    url = reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk})
    page = world.client(world.provider_reader).get(url).content.decode()
    assert f'href="{self_assessment.get_absolute_url()}#criterion-{criterion.pk}"' in page
