"""Every write action records its acting user in the audit log, also outside a request."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry

from qmss.core.audit import acting, action, current_actor
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.testing.factories import make_user


@action
def _rename(*, scope: Scope, organisation: Organisation, name: str) -> None:
    organisation.name = name
    organisation.save()


@pytest.mark.django_db
def test_action_records_the_scope_user_without_a_request():
    user = make_user("jednajici")
    org = Organisation.objects.create(kind=OrganisationKind.PROVIDER, name="Původní")
    _rename(scope=Scope.for_user(user), organisation=org, name="Nové jméno")
    entry = LogEntry.objects.get_for_object(org).order_by("-pk").first()
    assert entry.actor == user


@pytest.mark.django_db
def test_nested_actor_is_restored():
    outer, inner = make_user("vnejsi"), make_user("vnitrni")
    org = Organisation.objects.create(kind=OrganisationKind.PROVIDER, name="A")
    with set_actor(outer):
        with acting(inner):
            assert current_actor() == inner
            org.name = "B"
            org.save()
        assert current_actor() == outer
        org.name = "C"
        org.save()
    actors = list(LogEntry.objects.get_for_object(org).order_by("pk").values_list("actor__username", flat=True))
    assert actors[-2:] == ["vnitrni", "vnejsi"]


@pytest.mark.django_db
def test_action_is_atomic():
    user = make_user("atomicky")
    org = Organisation.objects.create(kind=OrganisationKind.PROVIDER, name="Před")

    @action
    def broken(*, scope: Scope) -> None:
        Organisation.objects.filter(pk=org.pk).update(name="Během")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        broken(scope=Scope.for_user(user))
    org.refresh_from_db()
    assert org.name == "Před"
