"""The assessment list's service filter: a choice of the services the user may see, in Czech order."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from qmss.assessments.testing import make_assessment
from qmss.registry.testing import make_service


def options(body: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="service"[^>]*>(.*?)</select>', body, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_service_filter_offers_own_services_in_czech_order(world):
    provider = world.service.provider
    cvikov = make_service(provider=provider, name="Cvikov")
    celadna = make_service(provider=provider, name="Čeladná")
    hodonin = make_service(provider=provider, name="Hodonín")
    charita = make_service(provider=provider, name="Charita")
    foreign = make_service(name="Cizí služba")  # another provider's: not offered
    make_assessment(world.provider, service=cvikov, framework=world.framework, title="Sebehodnocení Cvikov")
    make_assessment(world.provider, service=charita, framework=world.framework, title="Sebehodnocení Charita")
    client = world.client(world.provider_reader)
    url = reverse("assessments:list")

    choices = options(client.get(url).content.decode())
    with translation.override("cs"):
        assert choices[0] == ("", translation.gettext("All services"))  # "Všechny služby" once merged
    offered = [name for _value, name in choices[1:]]
    assert "Cizí služba" not in offered
    mine = [name for name in offered if name in {"Cvikov", "Čeladná", "Hodonín", "Charita"}]
    assert mine == ["Cvikov", "Čeladná", "Hodonín", "Charita"]
    assert {value for value, _name in choices} >= {str(s.portal_id) for s in (cvikov, celadna, hodonin, charita)}
    assert str(foreign.portal_id) not in {value for value, _name in choices}

    # ?service=<portal id> keeps working and stays selected
    response = client.get(url, {"service": charita.portal_id})
    body = response.content.decode()
    assert "Sebehodnocení Charita" in body and "Sebehodnocení Cvikov" not in body
    assert re.search(rf'<option value="{charita.portal_id}" selected>Charita</option>', body)
    # an unknown or foreign id neither breaks the page nor shows anything
    response = client.get(url, {"service": foreign.portal_id})
    assert response.status_code == 200 and "Sebehodnocení C" not in response.content.decode()
