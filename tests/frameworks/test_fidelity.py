"""Fidelity of the shipped libraries (issue #8, finding 9): every SQSS essential flag and the pass rule carry a
source or are marked unverified; 3a keeps the written internal rules; the voluntary model is QMSS's own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from qmss.frameworks.models import Requirement
from qmss.testing.factories import make_user

CONFIRMED = {"1a", "1b", "1c", "1d", "2a"}


@pytest.mark.django_db
def test_sqss_essential_flags_and_pass_rule_carry_a_source_or_are_unverified(sqss):
    criteria = {r.ref_id: r for r in Requirement.objects.filter(framework=sqss, kind=Requirement.Kind.CRITERION)}
    assert {ref for ref, r in criteria.items() if r.verified} == CONFIRMED
    for ref, criterion in criteria.items():
        if criterion.verified:
            assert "mpsv.cz/standardy-kvality-socialnich-sluzeb" in criterion.source, ref
        else:
            assert criterion.source == "", ref
    essential = {ref for ref, r in criteria.items() if r.essential}
    assert len(essential) == 17 and essential & CONFIRMED == {"1a", "1b", "1c", "2a"}
    assert not criteria["1d"].essential
    assert sqss.pass_rule["verified"] is False and "source" not in sqss.pass_rule


@pytest.mark.django_db
def test_sqss_3a_requires_written_internal_rules(sqss):
    criterion = Requirement.objects.get(framework=sqss, ref_id="3a")
    assert "písemná vnitřní pravidla" in criterion.title and "zájemce" in criterion.title
    assert any("písemná vnitřní pravidla" in item for item in criterion.typical_evidence)


@pytest.mark.django_db
def test_voluntary_model_is_labelled_qmss_own_and_unverified(voluntary):
    assert "vlastní model QMSS" in voluntary.title
    assert "není to nadstavbový model kvality MPSV" in voluntary.description
    assert voluntary.source.startswith("Vlastní návrh QMSS")
    assert not Requirement.objects.filter(framework=voluntary, verified=True).exists()
    assert voluntary.pass_rule["verified"] is False


@pytest.mark.django_db
def test_framework_page_labels_unverified_rule_and_offers_adoption_to_superusers_only(sqss):
    client_logged_in = Client()
    client_logged_in.force_login(make_user("ctenar"))
    with translation.override("cs"):
        label, only = gettext("unverified rule"), gettext("Only a superuser can adopt the rule set.")
    adopt_url = f"/ramce/{sqss.pk}/prijeti-pravidel/"
    page = client_logged_in.get(sqss.get_absolute_url()).content.decode()
    assert label in page and only in page and adopt_url not in page
    assert "mpsv.cz/standardy-kvality-socialnich-sluzeb" in page  # sources of the confirmed criteria
    superuser = Client()
    superuser.force_login(make_user("spravce-pravidel", is_superuser=True, is_staff=True))
    page = superuser.get(sqss.get_absolute_url()).content.decode()
    assert label in page and adopt_url in page
