"""Lists of names people read are in Czech alphabetical order (C < Č < D, H < Ch < I, R < Ř < S, S < Š, U = Ú,
Z < Ž) – on the real pages, not only in the helper. Databases order by code points: "Jihomoravský" before
"Jihočeský", "Česká Lípa" and "Ústí nad Labem" after "Zlín"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.choice_fields import CzechModelChoiceField
from qmss.core.collation import czech_sorted
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.territory.models import Orp
from qmss.testing.factories import make_municipality, make_org, make_region, make_user

# The 14 regions by their codes (the statistical order) and in Czech alphabetical order.
REGIONS = {
    "CZ010": "Hlavní město Praha",
    "CZ020": "Středočeský kraj",
    "CZ031": "Jihočeský kraj",
    "CZ032": "Plzeňský kraj",
    "CZ041": "Karlovarský kraj",
    "CZ042": "Ústecký kraj",
    "CZ051": "Liberecký kraj",
    "CZ052": "Královéhradecký kraj",
    "CZ053": "Pardubický kraj",
    "CZ063": "Kraj Vysočina",
    "CZ064": "Jihomoravský kraj",
    "CZ071": "Olomoucký kraj",
    "CZ072": "Zlínský kraj",
    "CZ080": "Moravskoslezský kraj",
}
REGIONS_IN_CZECH_ORDER = [
    "Hlavní město Praha",
    "Jihočeský kraj",
    "Jihomoravský kraj",
    "Karlovarský kraj",
    "Kraj Vysočina",
    "Královéhradecký kraj",
    "Liberecký kraj",
    "Moravskoslezský kraj",
    "Olomoucký kraj",
    "Pardubický kraj",
    "Plzeňský kraj",
    "Středočeský kraj",
    "Ústecký kraj",
    "Zlínský kraj",
]
# Real ORP names (and Cvikov) with every Czech letter that sorts on its own.
ORPS_IN_CZECH_ORDER = [
    "Cvikov",
    "Česká Lípa",
    "Český Krumlov",
    "Hlinsko",
    "Hodonín",
    "Chomutov",
    "Chrudim",
    "Rakovník",
    "Říčany",
    "Sedlčany",
    "Šumperk",
    "Tábor",
    "Uherský Brod",
    "Ústí nad Labem",
    "Vsetín",
    "Zlín",
    "Žatec",
    "Žďár nad Sázavou",
]
ORGANISATIONS_IN_CZECH_ORDER = [
    "Centrum Cvikov, z. ú.",
    "Česká alzheimerovská společnost",
    "Domov Zahrada",
    "Charita Vlčnov",
    "Ireon, o. p. s.",
    "Rybka, z. s.",
    "Řád sv. Alžběty",
    "Sociální služby Vsetín",
    "Šance pro seniory",
    "Ústav sociální péče Úsměv",
    "Zahrada, o. p. s.",
    "Život 90",
]


def _order_in(html: str, names: list[str]) -> list[str]:
    positions = {name: html.find(name) for name in names}
    missing = [name for name, at in positions.items() if at < 0]
    assert not missing, f"not on the page: {missing}"
    return sorted(names, key=positions.get)


def test_the_helper_knows_the_czech_alphabet():
    shuffled = list(reversed(ORPS_IN_CZECH_ORDER))
    assert czech_sorted(shuffled) == ORPS_IN_CZECH_ORDER
    assert sorted(shuffled) != ORPS_IN_CZECH_ORDER, "the code-point order differs (else the test proves nothing)"


@pytest.mark.django_db
def test_territory_index_lists_regions_in_czech_order():
    for code, name in REGIONS.items():
        make_region(code, name)
    html = Client().get(reverse("territory:index")).content.decode()
    assert _order_in(html, REGIONS_IN_CZECH_ORDER) == REGIONS_IN_CZECH_ORDER


@pytest.mark.django_db
def test_region_page_lists_orps_and_the_api_too_in_czech_order():
    region = make_region("CZ042", "Ústecký kraj")
    for name in reversed(ORPS_IN_CZECH_ORDER):
        municipality = make_municipality(region, name=name)
        Orp.objects.filter(pk=municipality.orp_id).update(name=name)
    html = Client().get(reverse("territory:region", kwargs={"region_code": "CZ042"})).content.decode()
    listed = html[html.find("<tbody") :]
    assert _order_in(listed, ORPS_IN_CZECH_ORDER) == ORPS_IN_CZECH_ORDER
    from qmss.registry.selectors_capacity import orp_choices

    assert [name for _code, name in orp_choices("CZ042")] == ORPS_IN_CZECH_ORDER, "the catalogue's ORP select"


@pytest.mark.django_db
def test_orp_page_lists_its_municipalities_in_czech_order():
    region = make_region("CZ051", "Liberecký kraj")
    first = make_municipality(region, name="Česká Lípa")
    orp = Orp.objects.get(pk=first.orp_id)
    names = ["Cvikov", "Česká Lípa", "Doksy", "Holany", "Chlum", "Ralsko", "Řepov", "Sosnová", "Šventov", "Žandov"]
    for name in names:
        if name != "Česká Lípa":
            municipality = make_municipality(region, name=name)
            municipality.orp = orp
            municipality.save()
    html = Client().get(reverse("territory:orp", kwargs={"orp_code": orp.ruian_code})).content.decode()
    listed = html[html.find("<tbody") :]
    assert _order_in(listed, names) == names


@pytest.mark.django_db
def test_organisation_list_in_czech_order():
    superuser = make_user("spravce-razeni", is_superuser=True, is_staff=True)
    for name in reversed(ORGANISATIONS_IN_CZECH_ORDER):
        make_org(OrganisationKind.PROVIDER, name)
    client = Client()
    client.force_login(superuser)
    html = client.get(reverse("organisation_list")).content.decode()
    assert _order_in(html, ORGANISATIONS_IN_CZECH_ORDER) == ORGANISATIONS_IN_CZECH_ORDER


@pytest.mark.django_db
def test_select_choices_in_czech_order_with_a_czech_empty_choice():
    for name in reversed(ORGANISATIONS_IN_CZECH_ORDER):
        make_org(OrganisationKind.PROVIDER, name)
    field = CzechModelChoiceField(queryset=Organisation.objects.order_by("name"), required=False)
    labels = [str(label) for _value, label in field.choices]
    assert labels[0] == "– vyberte –"
    assert labels[1:] == ORGANISATIONS_IN_CZECH_ORDER


@pytest.mark.django_db
def test_assessment_form_lists_providers_in_czech_order():
    from qmss.assessments.forms import AssessmentCreateForm
    from qmss.registry.models import Service

    for name in reversed(ORGANISATIONS_IN_CZECH_ORDER):
        make_org(OrganisationKind.PROVIDER, name)
    form = AssessmentCreateForm(organisations=Organisation.objects.order_by("name"), services=Service.objects.none())
    html = str(form["organisation"])
    assert re.findall(r"<option[^>]*>([^<]+)</option>", html) == ORGANISATIONS_IN_CZECH_ORDER
