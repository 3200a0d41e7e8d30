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


@pytest.mark.django_db
def test_values_read_as_czech_words_never_as_python():
    """Booleans are "ano"/"ne", choices their labels, dates "7. 12. 2026", nothing "–", a linked object its name,
    a related manager's text (``improvement.Process.None``) "–" – never ``True``, ``None`` or a field name."""
    from datetime import date

    from qmss.improvement.models import Action
    from qmss.improvement.testing import make_action, make_plan

    organisation = make_org(OrganisationKind.PROVIDER, "Domov Ano Ne")
    organisation.is_demo = True
    organisation.save()
    owner = make_user("resitel", org=organisation, first_name="Šárka", last_name="Úlehlová")
    plan = make_plan(organisation)
    action = make_action(plan, title="Zavést supervize", deadline=date(2026, 12, 7))
    action.status = Action.Status.IN_PROGRESS
    action.owner = owner
    action.save()
    process = make_process(organisation, name="Ch-proces")

    entries = LogEntry.objects.filter(object_pk__in=[str(organisation.pk), str(action.pk), str(process.pk)])
    # A change recorded by an older django-auditlog, which wrote a related manager's str() and Python's None.
    LogEntry.objects.create(
        content_type_id=entries.filter(object_pk=str(process.pk)).first().content_type_id,
        object_pk=str(process.pk),
        object_repr=str(process),
        action=LogEntry.Action.UPDATE,
        changes={"services": ["improvement.Process.None", "None"], "name": ["None", "Ch-proces"]},
    )
    entries = LogEntry.objects.filter(object_pk__in=[str(organisation.pk), str(action.pk), str(process.pk)]).order_by(
        "pk"
    )
    with translation.override("cs"):
        shown = redacted_entries(Scope(user_id=None, is_superuser=True), entries)
    changes = [(entry.entry.content_type.model, change) for entry in shown for change in entry.changes]
    by_field = {(model, change.field): change for model, change in changes}

    assert by_field[("organisation", "is_demo")].new == "ano"
    assert by_field[("organisation", "is_demo")].old == "ne"
    assert by_field[("action", "deadline")].new == "7. 12. 2026"
    assert by_field[("action", "owner")].new == "Šárka Úlehlová"
    with translation.override("cs"):
        assert by_field[("action", "status")].new == str(Action.Status.IN_PROGRESS.label)
    assert by_field[("process", "services")].old == "–" and by_field[("process", "services")].new == "–"
    for _model, change in changes:
        for text in (change.old, change.new, change.label):
            assert text not in {"None", "True", "False", ""}, change
            assert not text.endswith(".None"), change


@pytest.mark.django_db
def test_the_database_id_is_not_listed_as_a_change():
    """A creation entry lists the object's fields, never "ID: 1" (the primary key means nothing to a reader)."""
    organisation = make_org(OrganisationKind.PROVIDER, "Domov Bez Id")
    process = make_process(organisation, name="Příjem zájemců")

    entries = LogEntry.objects.filter(object_pk=str(process.pk), content_type__model="process")
    with translation.override("cs"):
        shown = redacted_entries(Scope(user_id=None, is_superuser=True), entries)
    fields = {change.field for entry in shown for change in entry.changes}
    assert fields, "the creation entry lists the process's fields"
    assert "id" not in fields
