"""The URL × role matrix: every URL pattern, every role of every organisation kind of tenant B (and anonymous),
pointed at tenant A's real objects. Nobody may see or change tenant A's data unless they belong to it.

How it stays honest (see tests/url_matrix/ for the machinery):

- Every URL parameter is a real object of tenant A whose name carries A's secrets. A positive control opens every
  route as A's own user (the first of OWNER_ORDER who may) and must get 200 and see one of A's secrets; the
  routes that cannot show one are listed below with the reason, and the lists are checked.
- A response is searched in every rendering: raw, HTML entities unescaped, URL-unquoted, JSON decoded, XLSX
  cells, PDF text; any status.
- Query strings: the discovery records which query parameters each view reads (forms bound to the query string
  included); every visitor sends each of them, one at a time, with A's ids and with A's search text, to every
  route it may open. A view that reads its query string wholesale also gets A's ids under the usual names.
- Writes: every route is POSTed with the forms harvested from A's own pages (A's ids, every box ticked, empty
  fields filled); every table of the QMSS apps, user accounts, second-factor devices and the row counts of the
  audit log and task queue must be unchanged afterwards. A control test checks that the harvested data is
  plausible: posted by A's own user, it writes.

New URL patterns are picked up automatically; a pattern with a URL parameter the matrix does not know fails
with "add a value" until tests/url_matrix/world.py gives it one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from qmss.core.roles import OrganisationKind, Role
from tests.url_matrix.scan import HarvestedForm, data_key, harvest_forms, tracking_query_params
from tests.url_matrix.tables import describe_changes, fingerprint, full_snapshot
from tests.url_matrix.world import (
    ID_PARAMETERS,
    IGNORED_PARAMETERS,
    VISITORS,
    MatrixWorld,
    all_routes,
    build_world,
)

# --- routes that cannot pass the positive control as it stands, each with the reason -------------------------

# Public pages and reference data: no tenant secret belongs there; A's user must get 200.
PUBLIC = {
    "healthz": "health check",
    "jsi18n/": "JavaScript translation catalogue",
    "ucet/obnova-hesla/": "password reset form",
    "ucet/obnova-hesla/odeslano/": "password reset: e-mail sent",
    "ucet/obnova-hesla/hotovo/": "password reset: done",
    "uzemi/": "territory: public open data",
    "uzemi/hledat/": "territory: public open data",
    "uzemi/kraj/<str:region_code>/": "territory: public open data",
    "uzemi/orp/<int:orp_code>/": "territory: public open data",
    "uzemi/obec/<str:municipality_code>/": "territory: public open data",
    "ramce/": "quality frameworks: reference data shared by every logged-in user",
    "ramce/<int:framework_pk>/": "quality frameworks: reference data shared by every logged-in user",
    "registr/": "registry mirror: public open data",
    "registr/export/<str:fmt>/": "registry mirror: public open data",
    "registr/filtr/orp/": "catalogue filter: ORPs of a region (public open data)",
    "registr/filtr/obce/": "catalogue filter: municipalities by name (public open data)",
    "registr/poskytovatel/<str:provider_ico>/": "registry mirror: public open data",
    "registr/sluzba/<int:service_portal_id>/": "registry mirror: public open data",
    "overeni-registrace/": "public registration check",
    "napoveda/": "help index: the same role guides for everybody",
    "api/v1/openapi.json": "API schema",
    "api/v1/docs": "API documentation",
    "api/v1/territory/regions": "territory API: public open data",
    "api/v1/territory/regions/<code>/orps": "territory API: public open data",
    "api/v1/territory/orps/<ruian_code>/municipalities": "territory API: public open data",
    "api/v1/territory/municipalities/<code>": "territory API: public open data",
    "api/v1/frameworks/": "frameworks API: shared reference data",
    "api/v1/frameworks/<int:framework_pk>": "frameworks API: shared reference data",
    "api/v1/providers": "registry API: public open data",
    "api/v1/providers/<ico>": "registry API: public open data",
    "api/v1/services": "registry API: public open data",
    "api/v1/services/<portal_id>": "registry API: public open data",
}

# Pages of the user's own account, redirects, no page: A's user gets this status, and the page has no tenant data.
NO_SECRET = {
    "api/v1/": (404, "the API's root pattern has no operation"),
    "ucet/prihlaseni/": (302, "login form: a logged-in user is sent on"),
    "ucet/heslo/": (200, "password change form of the user's own account"),
    "ucet/heslo/zmeneno/": (200, "password changed: a fixed message"),
    "ucet/obnova-hesla/<uidb64>/<token>/": (200, "password reset link: a forged token shows the invalid-link page"),
    "ucet/druhy-faktor/": (200, "second factor of the user's own account"),
    "ucet/druhy-faktor/nastaveni/": (200, "setting up the user's own authenticator"),
    "ucet/druhy-faktor/overeni/": (302, "entering a code: without a device the user is sent on"),
    "ucet/druhy-faktor/vypnout/": (302, "turning the second factor off: without a device the user is sent on"),
    "ucet/druhy-faktor/zalozni-kody/": (405, "new recovery codes: a POST of the user's own account"),
    "hledat/": (200, "global search without a query lists nothing; visitors send q with A's ids and search text"),
    "api/v1/assessments/<assessment_pk>/transition": (405, "API workflow move: POST only (JSON body, CSRF token)"),
}

# Routes that only take POST: GET answers 405, and a form on the given page (opened by the given user of A) posts
# to them, so the visitors' POST carries plausible data: route -> (reason, page route, user of A).
POST_ONLY = {
    "ucet/odhlaseni/": ("logout button in the header", "", "A provider/admin"),
    "organizace/<int:organisation_pk>/pozvanky/": (
        "invitation form on the organisation page",
        "organizace/<int:organisation_pk>/",
        "A provider/admin",
    ),
    "organizace/<int:organisation_pk>/clenove/<int:membership_pk>/role/": (
        "role form on the organisation page",
        "organizace/<int:organisation_pk>/",
        "A provider/admin",
    ),
    "hodnoceni/<int:assessment_pk>/stav/": (
        "workflow buttons on the audit page",
        "hodnoceni/<int:assessment_pk>/",
        "A audit_body/auditor",
    ),
    "hodnoceni/<int:assessment_pk>/kriterium/<int:requirement_pk>/zjisteni/": (
        "new-finding form on the criterion page",
        "hodnoceni/<int:assessment_pk>/kriterium/<int:requirement_pk>/",
        "A audit_body/auditor",
    ),
    "registr/propojeni/zadosti/<int:claim_pk>/zrusit/": (
        "revoke form on the claim page",
        "registr/propojeni/zadosti/<int:claim_pk>/",
        "A region/admin",
    ),
}

# Superusers only: the visitors are refused; the superuser must get 200 (the id is real).
SUPERUSER_ONLY = {
    "ramce/<int:framework_pk>/prijeti-pravidel/": "a superuser adopts a framework's rule set",
    "registr/importy/": "registry imports are run by superusers",
    "registr/importy/novy/": "registry imports are run by superusers",
    "registr/importy/<int:import_pk>/": "registry imports are run by superusers",
    "registr/importy/<int:import_pk>/prubeh/": "registry imports are run by superusers",
}

# Routes that act on the visitor's own account or session: visitors POST them without A's data (A's harvested
# profile would only rename the visitor), and logout comes last.
SELF_ROUTES = {
    "ucet/prihlaseni/": "logs the visitor in",
    "ucet/profil/": "the visitor's own profile",
    "ucet/heslo/": "the visitor's own password",
    "ucet/obnova-hesla/": "sends a reset e-mail to whoever owns the address",
    "ucet/druhy-faktor/nastaveni/": "sets up the visitor's own authenticator",
    "ucet/druhy-faktor/overeni/": "checks a code of the visitor's own device",
    "ucet/druhy-faktor/vypnout/": "turns the visitor's own second factor off",
    "ucet/druhy-faktor/zalozni-kody/": "new recovery codes of the visitor's own account",
    "ucet/odhlaseni/": "logs the visitor out (posted last)",
}

# POST routes the plausibility control does not post as their owner, each with the reason.
OWNER_POST_SKIPPED = {
    "ucet/odhlaseni/": "logout ends the session only",
    "ucet/prihlaseni/": "login writes the session only",
    "ucet/obnova-hesla/": "sends an e-mail",
    "ucet/profil/": "the harvested values are the user's own: posting them changes nothing",
    "ucet/heslo/": "needs the current password",
    "ucet/druhy-faktor/nastaveni/": "needs a code from the authenticator",
    "registr/importy/novy/": "starting an import runs it (a registry file or the network); tests/registry cover it",
}


def _merge_needs_tables() -> None:
    """The needs app's parts keep their routes' entries in tests/url_matrix/needs_<part>.py (optional dicts
    PUBLIC, NO_SECRET, POST_ONLY, SUPERUSER_ONLY, OWNER_POST_SKIPPED with the shapes above)."""
    import importlib

    from tests.url_matrix.world import APP_PARTS

    tables = {
        "PUBLIC": PUBLIC,
        "NO_SECRET": NO_SECRET,
        "POST_ONLY": POST_ONLY,
        "SUPERUSER_ONLY": SUPERUSER_ONLY,
        "OWNER_POST_SKIPPED": OWNER_POST_SKIPPED,
    }
    for app, part in APP_PARTS:
        try:
            module = importlib.import_module(f"tests.url_matrix.{app}_{part}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.url_matrix.{app}_{part}":
                raise
            continue
        for name, table in tables.items():
            table.update(getattr(module, name, {}))


_merge_needs_tables()
TABLES = {"PUBLIC": PUBLIC, "NO_SECRET": NO_SECRET, "POST_ONLY": POST_ONLY, "SUPERUSER_ONLY": SUPERUSER_ONLY}

# Public routes show the same public data to every logged-in user: their query strings are tried by anonymous and
# by the administrator of each kind of organisation (every visitor tries them on the other routes).
FILTER_VISITORS = {"anonymous"} | {f"{kind}/{Role.ADMIN}" for kind in OrganisationKind.values}

ALLOWED = {200, 204, 302, 400, 403, 404, 405, 422, 429}
NEUTRAL_PAGE = "/ucet/heslo/zmeneno/"  # what every page shows of its own user, whatever the route
MAX_VARIANTS = 4


@dataclass
class Attempt:
    label: str
    status: int
    secrets: list[str]


@dataclass
class RouteInfo:
    route: str
    path: str
    attempts: list[Attempt] = field(default_factory=list)
    owner: str | None = None  # label of A's user who got 200 with a secret
    names: set[str] = field(default_factory=set)  # query parameters the view reads
    reads_all: bool = False


@dataclass
class Discovery:
    routes: dict[str, RouteInfo]
    forms: dict[str, list[tuple[str, HarvestedForm]]]  # action path -> (label of who saw it, form)


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def discover(world: MatrixWorld) -> Discovery:
    """Open every route as tenant A's users (OWNER_ORDER, or the superuser), recording status, secrets shown,
    query parameters read and POST forms offered."""
    routes: dict[str, RouteInfo] = {}
    forms: dict[str, list[tuple[str, HarvestedForm]]] = {}
    seen_forms: set = set()
    clients: dict[str, Client] = {}
    chrome: dict[str, set[str]] = {}
    owners = list(world.owners())

    def keep(label: str, response, page: str) -> None:
        for form in harvest_forms(response, page):
            key = (form.action, *map(data_key, form.variants()))
            if key not in seen_forms:
                seen_forms.add(key)
                forms.setdefault(form.action, []).append((label, form))

    with tracking_query_params() as record:
        for route in all_routes():
            path = world.path(route, owner=True)
            info = routes[route] = RouteInfo(route=route, path=path)
            if route in SUPERUSER_ONLY:
                candidates = [("superuser", world.superuser)]
            elif route in PUBLIC or route in NO_SECRET:
                candidates = owners[:1]
            else:
                candidates = [("anonymous", None), *owners] if "<str:token>" in route else owners
            for label, user in candidates:
                if label not in clients:
                    clients[label] = client_for(user)
                    chrome[label] = set(world.scanner.found(clients[label].get(NEUTRAL_PAGE)))
                with record() as reads:
                    response = clients[label].get(path, {"_matrix": "1"})
                info.names |= reads.names - IGNORED_PARAMETERS
                info.reads_all |= reads.reads_all
                secrets = [s for s in world.scanner.found(response) if s not in chrome[label]]
                info.attempts.append(Attempt(label, response.status_code, secrets))
                if response.status_code == 200:
                    keep(label, response, path)
                    if secrets or route in PUBLIC or route in NO_SECRET or route in SUPERUSER_ONLY:
                        info.owner = label
                        break
        # The pages with the buttons of POST-only routes, as the user who is offered them.
        users = dict(owners)
        for _reason, page_route, label in POST_ONLY.values():
            if label not in clients:
                clients[label] = client_for(users[label])
            page = world.path(page_route, owner=True)
            response = clients[label].get(page)
            if response.status_code == 200:
                keep(label, response, page)
    return Discovery(routes=routes, forms=forms)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world per module (and per xdist worker), built and discovered once, rolled back at the end; each test
    runs in its own savepoint on top of it."""
    media = tmp_path_factory.mktemp("matrix-media")
    # A cache of its own: hundreds of refused logins and password resets must not throttle the tests that follow.
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    cache = {alias: {"BACKEND": locmem, "LOCATION": f"url-matrix-{alias}"} for alias in settings.CACHES}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, CACHES=cache),
        transaction.atomic(),
    ):
        built = build_world()
        built.discovery = discover(built)
        yield built
        transaction.set_rollback(True)


def post_variants(world: MatrixWorld, route: str, path: str, *, owner: bool = False) -> list[dict]:
    """The data a visitor POSTs: A's harvested forms for this path (or, without one, A's ids), none for routes
    that act on the visitor's own account."""
    if route in SELF_ROUTES and not owner:
        return [{}]
    variants: dict[str, dict] = {}
    for _label, form in world.discovery.forms.get(path, []):
        for data in form.variants():
            variants.setdefault(data_key(data), data)
    if not variants:
        return [{"confirm": "1", "organisation": world.objects["provider_org"].pk}]
    return list(variants.values())[:MAX_VARIANTS]


def _post_order(routes: list[str]) -> list[str]:
    """Self routes after the others, logout last (it ends the visitor's session)."""
    return sorted(routes, key=lambda r: (r in SELF_ROUTES, r == "ucet/odhlaseni/"))


# --- the matrix --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", VISITORS)
def test_visitor_sees_and_changes_nothing_of_tenant_a(world, visitor):
    user = world.visitor(visitor)
    client = client_for(user)
    scanner = world.scanner
    failures: list[str] = []
    checked = 0

    def check(method: str, url: str, response) -> None:
        nonlocal checked
        checked += 1
        if response.status_code not in ALLOWED:
            failures.append(f"{visitor} {method} {url}: status {response.status_code}")
        leaked = scanner.found(response)
        if leaked:
            failures.append(
                f"{visitor} {method} {url}: status {response.status_code}, shows tenant A data {leaked[:3]}"
            )

    before = full_snapshot()
    routes = sorted(world.discovery.routes)
    opened = []
    for route in routes:
        path = world.path(route, owner=False)
        response = client.get(path)
        check("GET", path, response)
        if response.status_code == 200:
            opened.append((route, path))

    # Query strings: every parameter the view reads, one at a time, with A's ids and A's search text.
    for route, path in opened:
        if route in PUBLIC and visitor not in FILTER_VISITORS:
            continue
        info = world.discovery.routes[route]
        wholesale = set(ID_PARAMETERS) - info.names if info.reads_all else set()
        for name in sorted(info.names | wholesale):
            for value in world.values_for(name, named=name in info.names):
                response = client.get(path, {name: value})
                check("GET", f"{path}?{name}={value}", response)

    # Writes: A's harvested forms posted to every route; nothing may change anywhere.
    counts = fingerprint()
    for route in _post_order(routes):
        path = world.path(route, owner=False)
        for data in post_variants(world, route, path):
            response = client.post(path, data)
            check("POST", f"{path} {sorted(data)}", response)
            now = fingerprint()
            if now != counts:
                failures.append(f"{visitor} POST {path} {sorted(data)}: status {response.status_code}, rows changed")
                counts = now
    changes = describe_changes(before, full_snapshot())
    if changes:
        failures.append(f"{visitor}: tenant data changed:\n  " + "\n  ".join(changes))
    assert not failures, f"{len(failures)} of {checked} requests failed:\n" + "\n".join(failures[:60])


# --- the controls ------------------------------------------------------------------------------------------


def test_tables_name_existing_routes_once():
    routes = set(all_routes())
    listed: dict[str, str] = {}
    for table_name, table in {**TABLES, "SELF_ROUTES": SELF_ROUTES, "OWNER_POST_SKIPPED": OWNER_POST_SKIPPED}.items():
        for route in table:
            assert route in routes, f"{table_name} lists {route!r}, which is no longer a route: remove it"
            if table_name == "POST_ONLY":
                assert table[route][1] in routes, f"POST_ONLY {route!r}: its page {table[route][1]!r} is no route"
            if table_name in TABLES:
                assert route not in listed, f"{route!r} is listed in both {listed[route]} and {table_name}"
                listed[route] = table_name


@pytest.mark.django_db
def test_positive_control_owner_sees_a_secret_on_every_route(world):
    """As A's own user every non-public route answers 200 and shows one of A's secrets; the listed exceptions
    behave as listed. Without this the matrix could pass on 404s and empty pages."""
    problems = []
    for route, info in sorted(world.discovery.routes.items()):
        attempts = ", ".join(
            f"{a.label}: {a.status}{' ' + str(a.secrets[:1]) if a.secrets else ''}" for a in info.attempts
        )
        first = info.attempts[0]
        if route in PUBLIC:
            if first.status != 200:
                problems.append(f"{route} (public): {attempts}")
        elif route in NO_SECRET:
            if first.status != NO_SECRET[route][0]:
                problems.append(f"{route} (no secret, expected {NO_SECRET[route][0]}): {attempts}")
        elif route in SUPERUSER_ONLY:
            if first.status != 200:
                problems.append(f"{route} (superuser only): {attempts}")
        elif route in POST_ONLY:
            if any(a.status != 405 for a in info.attempts):
                problems.append(f"{route} (POST only, expected 405 on GET): {attempts}")
            if not world.discovery.forms.get(info.path):
                problems.append(f"{route} (POST only): no form of A's pages posts to {info.path}")
        elif info.owner is None:
            problems.append(f"{route} {info.path}: no user of A gets 200 with a secret ({attempts})")
    assert not problems, "positive control failed:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_harvested_forms_write_when_their_owner_posts_them(world):
    """The data the visitors POST is plausible: posted by the user of A who was offered the form, it is accepted
    and writes (in a savepoint, rolled back)."""
    users = {"superuser": world.superuser, "anonymous": None, **dict(world.owners())}
    routes_by_path = {info.path: route for route, info in world.discovery.routes.items()}
    problems = []
    for path, offered in sorted(world.discovery.forms.items()):
        route = routes_by_path.get(path)
        if route is None or route in OWNER_POST_SKIPPED:
            continue
        label, form = offered[0]
        client = client_for(users[label])
        statuses = []
        for data in post_variants(world, route, path, owner=True):
            sid = transaction.savepoint()
            before = full_snapshot()
            response = client.post(path, data)
            changes = describe_changes(before, full_snapshot())
            transaction.savepoint_rollback(sid)
            statuses.append(response.status_code)
            if changes:
                break
        else:
            problems.append(f"{route} as {label}: statuses {statuses}, nothing written")
    assert not problems, "harvested form data not accepted from its owner:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_every_route_is_walked():
    routes = all_routes()
    assert len(routes) >= 60, routes
    assert "organizace/<int:organisation_pk>/" in routes
    assert "healthz" in routes


@pytest.mark.django_db
def test_admin_is_superuser_only(world):
    staff = world.b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    staff.is_staff = True
    staff.save()
    assert client_for(staff).get("/admin/").status_code == 302  # sent to the admin login
    assert client_for(world.superuser).get("/admin/").status_code == 200
