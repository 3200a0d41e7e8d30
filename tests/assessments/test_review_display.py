"""Display fixes found by the browser review of issue #8: no empty percentage on an assessment without results,
and no raw Python ``None`` in the change history."""

from __future__ import annotations

from django.urls import reverse

from qmss.assessments.testing import make_assessment


def test_detail_without_results_shows_no_empty_percentage(world):
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework)
    client = world.client(world.provider_editor)
    response = client.get(reverse("assessments:detail", kwargs={"assessment_pk": assessment.pk}))
    assert response.status_code == 200
    assert response.context["report"].percent is None
    body = response.content.decode()
    assert "( %)" not in body and "(None %)" not in body


def test_history_shows_a_dash_not_none_for_empty_values(world):
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework)
    client = world.client(world.provider_admin)
    url = reverse("object_history", kwargs={"model_label": "assessments.assessment", "object_pk": assessment.pk})
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "–" in body  # the created entry lists its empty fields
    assert ">None<" not in body
