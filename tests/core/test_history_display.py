"""History pages name people by their names and show numbers in the page's (Czech) format."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import translation

from qmss.core.history import redacted_entries
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.improvement.testing import make_kpi, make_process
from qmss.testing.factories import make_org, make_user


@pytest.mark.django_db
def test_people_by_name_and_numbers_in_czech_format():
    organisation = make_org(OrganisationKind.PROVIDER, "Domov Historie")
    owner = make_user("vlastnik-procesu", org=organisation, first_name="Věra", last_name="Řeháková")
    process = make_process(organisation, name="Příjem zájemců")
    process.owner = owner
    process.save()
    kpi = make_kpi(process, target=80)
    kpi.target_value = Decimal("92.50")
    kpi.save()

    entries = LogEntry.objects.filter(object_pk__in=[str(process.pk), str(kpi.pk)]).order_by("pk")
    with translation.override("cs"):
        shown = redacted_entries(Scope(user_id=None, is_superuser=True), entries)
    changes = {change.field: change for entry in shown for change in entry.changes}
    assert changes["owner"].new == "Věra Řeháková", "a person is named, not the user name"
    assert changes["target_value"].new == "92,5", "a decimal in the Czech format"
