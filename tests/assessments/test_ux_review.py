"""UX review of issue #9: the readiness page links each listed criterion to the self-assessment it comes from."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from qmss.assessments.testing import make_assessment

pytestmark = pytest.mark.django_db


def test_readiness_criteria_link_to_the_self_assessment(world):
    self_assessment = make_assessment(world.provider, service=world.service, framework=world.framework)
    criterion = world.framework.requirements.filter(assessable=True).order_by("order").first()
    url = reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk})
    page = world.client(world.provider_reader).get(url).content.decode()
    assert f'href="{self_assessment.get_absolute_url()}#criterion-{criterion.pk}"' in page


def test_lenses_table_gives_shares_in_the_one_percentage_format(world):
    """2 of 3 points read "66,7 %" on the three lenses as on the assessment page (never a rounded "67 %")."""
    from qmss.assessments.models import Assessment

    make_assessment(
        world.provider,
        service=world.service,
        framework=world.framework,
        state=Assessment.State.PUBLISHED,
        fill={"1a": "2"},  # 2 points of 3
    )
    url = reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id})
    with translation.override("cs"):
        page = world.client(world.provider_reader).get(url, HTTP_ACCEPT_LANGUAGE="cs").content.decode()
    assert "66,7\xa0%" in page or "66,7 %" in page
    assert ">67 %<" not in page
