"""Demo organisations and one login per role, for `make run` and the browser tests.

Idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from qmss.core.models import Membership, Organisation
from qmss.core.roles import OrganisationKind, Role

DEMO_PASSWORD = "qmss-demo-2026"
PREFERRED_REGION = "CZ072"  # Zlínský kraj, when the real territory is loaded


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    org_key: str | None
    role: str | None
    superuser: bool = False


DEMO_ORGS: dict[str, tuple[str, str]] = {
    "provider": (OrganisationKind.PROVIDER, "Domov Slunečnice, z. ú. (demo)"),
    "provider_b": (OrganisationKind.PROVIDER, "Pečovatelská služba Lípa, o. p. s. (demo)"),
    "region": (OrganisationKind.REGION, "Krajský úřad (demo)"),
    "municipality": (OrganisationKind.MUNICIPALITY, "Obecní úřad (demo)"),
    "ministry": (OrganisationKind.MINISTRY, "Ministerstvo práce a sociálních věcí (demo)"),
    "audit_body": (OrganisationKind.AUDIT_BODY, "Kvalita v praxi, s. r. o. (demo)"),
    "training": (OrganisationKind.TRAINING_PROVIDER, "Vzdělávací institut Most (demo)"),
}

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("spravce", "Správce", "Systému", None, None, superuser=True),
    DemoUser("poskytovatel", "Petra", "Poskytovatelová", "provider", Role.ADMIN),
    DemoUser("editor", "Eva", "Editorová", "provider", Role.EDITOR),
    DemoUser("ctenar", "Čeněk", "Čtenář", "provider", Role.READER),
    DemoUser("poskytovatel2", "Pavel", "Lipový", "provider_b", Role.ADMIN),
    DemoUser("kraj", "Karla", "Krajská", "region", Role.NETWORK_MANAGER),
    DemoUser("kraj-admin", "Kamil", "Krajský", "region", Role.ADMIN),
    DemoUser("obec", "Olga", "Obecní", "municipality", Role.EDITOR),
    DemoUser("ministerstvo", "Marek", "Ministerský", "ministry", Role.READER),
    DemoUser("redaktor", "Renata", "Redaktorová", "ministry", Role.EDITOR),
    DemoUser("auditor", "Alena", "Auditorová", "audit_body", Role.AUDITOR),
    DemoUser("lektor", "Lukáš", "Lektor", "training", Role.ADMIN),
)


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create the demo organisations and users if missing. Returns how many of each were created."""
    from qmss.territory.models import Municipality, Region

    region = Region.objects.filter(code=PREFERRED_REGION).first() or Region.objects.order_by("code").first()
    if region is None:
        raise RuntimeError("Load the territory first (qmss import_territory or qmss import_territory --synthetic).")
    municipality = (
        Municipality.objects.filter(region=region, status__in=["S", "M", "U", "H"]).order_by("code").first()
        or Municipality.objects.filter(region=region).order_by("code").first()
    )
    created = {"organisations": 0, "users": 0}
    orgs: dict[str, Organisation] = {}
    for key, (kind, name) in DEMO_ORGS.items():
        defaults = {"is_demo": True, "region": region}
        if kind == OrganisationKind.MUNICIPALITY:
            defaults["municipality"] = municipality
        org, was_created = Organisation.objects.get_or_create(kind=kind, name=name, defaults=defaults)
        orgs[key] = org
        created["organisations"] += was_created

    User = get_user_model()
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User(
                username=demo.username,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@demo.qmss.test",
                is_superuser=demo.superuser,
                is_staff=demo.superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["users"] += 1
        if demo.org_key:
            Membership.objects.get_or_create(user=user, organisation=orgs[demo.org_key], role=demo.role)
    return created


def demo_logins_text() -> str:
    lines = [f"Demo přihlášení (heslo pro všechny: {DEMO_PASSWORD}):"]
    for demo in DEMO_USERS:
        if demo.superuser:
            what = "správce systému (superuživatel)"
        else:
            org = DEMO_ORGS[demo.org_key][1]
            what = f"{Role(demo.role).label} – {org}"
        lines.append(f"  {demo.username:<14} {what}")
    return "\n".join(str(line) for line in lines)


DEMO_PROVIDER_KEYS = ("provider", "provider_b")


@transaction.atomic
def link_demo_providers() -> list[str]:
    """Link the demo provider organisations to real registry providers in the demo region through the same
    claim and verification as anyone (claimed by the organisation's demo administrator, verified by the demo
    superuser), so that their pages show registered services. An organisation already linked is left alone;
    returns the IČOs linked now."""
    from django.db.models import Count

    from qmss.core.scoping import Scope
    from qmss.registry import actions
    from qmss.registry.models import Provider, ProviderLink

    users = get_user_model().objects
    verifier = users.filter(username="spravce", is_superuser=True).first()
    if verifier is None:
        return []
    linked = []
    for key in DEMO_PROVIDER_KEYS:
        kind, name = DEMO_ORGS[key]
        org = Organisation.objects.filter(kind=kind, name=name).first()
        admin = users.filter(memberships__organisation=org, memberships__role=Role.ADMIN).order_by("pk").first()
        if org is None or admin is None or ProviderLink.objects.filter(organisation=org).exists():
            continue
        free = Provider.objects.exclude(pk__in=ProviderLink.objects.values("provider_id"))
        candidate = (free.filter(ico=org.ico).first() if org.ico else None) or (
            free.filter(services__facilities__region_id=org.region_id)
            .annotate(n=Count("services", distinct=True))
            .order_by("-n", "ico")
            .first()
        )
        if candidate is None:
            continue
        claim = actions.claim_provider(scope=Scope.for_user(admin), organisation=org, provider=candidate, user=admin)
        actions.decide_claim(
            scope=Scope.for_user(verifier),
            claim=claim,
            verify=True,
            reason="Ukázková data: propojení ověřené při instalaci (demo).",
            user=verifier,
        )
        if not org.ico:
            org.ico = candidate.ico  # informational only
            org.save(update_fields=["ico", "updated_at"])
        linked.append(candidate.ico)
    return linked
