"""Small builders for tests and benchmarks (no randomness: every test sees the same data)."""

from __future__ import annotations

import itertools
from datetime import date

from django.contrib.auth import get_user_model

from qmss.core.models import Membership, Organisation
from qmss.core.roles import OrganisationKind, Role

_seq = itertools.count(1)


def make_region(code: str = "CZ991", name: str = "Testovací kraj"):
    from qmss.territory.models import Region

    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name})
    return region


def make_municipality(region, *, code: str | None = None, name: str | None = None, population: int = 1000):
    """A municipality with its own district and ORP in ``region`` and one population figure."""
    from qmss.territory.models import District, Municipality, Orp, Population

    n = next(_seq)
    code = code or f"9{n:05d}"
    district, _ = District.objects.get_or_create(
        code=f"{region.code}{n % 10}", defaults={"name": f"Okres {region.name} {n % 10}", "region": region}
    )
    orp = Orp.objects.create(ruian_code=90000 + n, csu_code=90000 + n, name=f"ORP {name or code}", region=region)
    muni = Municipality.objects.create(
        code=code, name=name or f"Obec {code}", district=district, orp=orp, region=region
    )
    Population.objects.create(
        municipality=muni,
        reference_date=date(2024, 1, 1),
        total=population,
        age_15_plus=int(population * 0.85),
        age_15_64=int(population * 0.64),
        age_65_plus=int(population * 0.21),
    )
    return muni


def make_org(kind: str = OrganisationKind.PROVIDER, name: str | None = None, *, region=None, **extra):
    if kind == OrganisationKind.REGION and region is None:
        region = make_region()
    return Organisation.objects.create(kind=kind, name=name or f"Organizace {next(_seq)}", region=region, **extra)


def make_user(username: str | None = None, *, org: Organisation | None = None, role: str = Role.ADMIN, **extra):
    username = username or f"user{next(_seq)}"
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.test", password="heslo-pro-testy-123", **extra
    )
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


TEST_PASSWORD = "heslo-pro-testy-123"
