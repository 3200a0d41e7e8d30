"""The client's rights, what a service may cost and how to complain – data of the public portal.

Two libraries under ``libraries/portal/`` read through the one loader (:mod:`qmss.core.libraries`):

- ``client-rights.yaml`` (``urn:qmss:portal:client-rights``): the rights of a client of a registered social service,
  each linked to the quality standard (1–15 of ``libraries/frameworks/sqss.yaml``) that guarantees it, with the
  kinds or forms it applies to; the steps of negotiating a contract and of a complaint.
- ``costs.yaml`` (``urn:qmss:portal:costs``): which kinds are free of charge and what the others may cost (legal
  maxima of vyhláška č. 505/2006 Sb. where known, each with ``source`` / ``verified`` / ``valid_from``), and how
  the payment relates to the care allowance (příspěvek na péči).

Every item carries ``source`` and ``verified``; pages show "ověřeno" / "neověřeno". A malformed file raises
:class:`PortalLibraryError` whose Czech message names the file, the line and the field (``rights.stiznost.standard``).
The libraries are read once per process (no database queries); kinds' forms come from the registry's reference
library ``libraries/registry/service-kinds.yaml`` so that the rights of a kind need no query either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from pydantic import field_validator

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError

RIGHTS_URN = "urn:qmss:portal:client-rights"
COSTS_URN = "urn:qmss:portal:costs"
RIGHTS_FILE = "client-rights.yaml"
COSTS_FILE = "costs.yaml"
STANDARD_COUNT = 15
RESIDENTIAL = "pob"
OUTPATIENT = "amb"

AppliesTo = Literal["all", "residential", "residential_outpatient", "kinds"]


class PortalLibraryError(QmssImportError, ValueError):
    """A library of the portal is malformed; the message names file, line and field."""


# ---------------------------------------------------------------------------------------------- schemas


class RightIn(lib.Schema):
    code: lib.StrictCode
    title: lib.text(200)
    text: lib.text(1500)
    standard: lib.Whole
    applies_to: AppliesTo
    kinds: lib.Codes = []
    source: lib.text()
    verified: lib.Flag

    @field_validator("standard")
    @classmethod
    def _standard_range(cls, value: int) -> int:
        if not 1 <= value <= STANDARD_COUNT:
            raise ValueError(_("must be the number of a quality standard, 1 to 15."))
        return value


class StepIn(lib.Schema):
    text: lib.text(800)
    applies_to: Literal["all", "residential"] = "all"
    source: lib.text()
    verified: lib.Flag


class RightsLibraryIn(lib.Envelope):
    rights: lib.NonEmptyList[RightIn]
    contract_steps: lib.NonEmptyList[StepIn]
    complaint_steps: lib.NonEmptyList[StepIn]


class CostItemIn(lib.Schema):
    code: lib.StrictCode
    title: lib.text(200)
    max_amount: lib.OptionalNumber = None
    unit: lib.text(100)
    valid_from: lib.OptionalDay = None
    source: lib.text()
    verified: lib.Flag


class CostGroupIn(lib.Schema):
    code: lib.StrictCode
    title: lib.text(200)
    free: lib.Flag
    care_allowance: lib.Flag = False
    kinds: lib.Codes
    text: lib.text(1500)
    source: lib.text()
    verified: lib.Flag
    items: list[CostItemIn] = []


class NoteIn(lib.Schema):
    text: lib.text(1500)
    source: lib.text()
    verified: lib.Flag


class CostsLibraryIn(lib.Envelope):
    care_allowance: NoteIn
    groups: lib.NonEmptyList[CostGroupIn]


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True)
class Right:
    code: str
    title: str
    text: str
    standard: int  # 1–15
    standard_title: str
    standard_url: str
    verified: bool
    source: str
    applies_to: str


@dataclass(frozen=True)
class Step:
    text: str
    verified: bool
    source: str


@dataclass(frozen=True)
class CostItem:
    code: str
    title: str
    max_amount: Decimal | None
    unit: str
    valid_from: object  # date | None
    verified: bool
    source: str


@dataclass(frozen=True)
class CostInfo:
    code: str
    title: str
    free: bool
    text: str
    verified: bool
    source: str
    items: list[CostItem] = field(default_factory=list)
    care_allowance: Step | None = None  # how the payment relates to the care allowance (when it does)


# ----------------------------------------------------------------------------------------------- reading


def library_dir() -> Path:
    return Path(settings.BASE_DIR) / "libraries"


def _known_kinds() -> set[str]:
    return set(kind_forms())


@lru_cache(maxsize=1)
def kind_forms() -> dict[str, frozenset[str]]:
    """Registry kind code → its allowed delivery forms (pob / amb / ter), from the registry's reference library."""
    from qmss.registry.models import ServiceKind
    from qmss.registry.reference import read_libraries

    kinds = next(parsed for parsed in read_libraries() if parsed.spec.model is ServiceKind)
    return {str(item["code"]): frozenset(item.get("forms") or ()) for item in kinds.items}


@lru_cache(maxsize=1)
def standard_titles() -> dict[int, str]:
    """Number → title of the 15 quality standards (``libraries/frameworks/sqss.yaml``)."""
    from qmss.frameworks.validation import read_library

    spec = read_library(library_dir() / "frameworks" / "sqss.yaml")
    return {int(item.ref_id): item.title for item in spec.requirements if item.kind == "standard"}


def _check_kinds(library: lib.Library, loc: tuple, codes: list[str], known: set[str]) -> None:
    for code in codes:
        if code not in known:
            raise library.error((*loc, "kinds"), _("unknown service kind “{code}”.").format(code=code))


def read_rights(path: Path | None = None) -> lib.Library[RightsLibraryIn]:
    """Read and check ``client-rights.yaml``: codes unique, standards 1–15, kinds known and listed for ``kinds``."""
    path = path or library_dir() / "portal" / RIGHTS_FILE
    library = lib.read_library(path, RightsLibraryIn, label=path.name, error=PortalLibraryError, urn=RIGHTS_URN)
    known = _known_kinds()
    seen: set[str] = set()
    for index, right in enumerate(library.data.rights):
        loc = ("rights", index)
        if right.code in seen:
            raise library.error((*loc, "code"), _("the code “{code}” is used twice.").format(code=right.code))
        seen.add(right.code)
        if right.applies_to == "kinds" and not right.kinds:
            raise library.error((*loc, "kinds"), _("list the kinds the right applies to."))
        if right.applies_to != "kinds" and right.kinds:
            raise library.error((*loc, "kinds"), _("kinds are listed only when the right applies to kinds."))
        _check_kinds(library, loc, right.kinds, known)
    return library


def read_costs(path: Path | None = None) -> lib.Library[CostsLibraryIn]:
    """Read and check ``costs.yaml``: group and item codes unique, each kind known and in one group at most."""
    path = path or library_dir() / "portal" / COSTS_FILE
    library = lib.read_library(path, CostsLibraryIn, label=path.name, error=PortalLibraryError, urn=COSTS_URN)
    known = _known_kinds()
    groups: set[str] = set()
    kinds: dict[str, str] = {}
    for index, group in enumerate(library.data.groups):
        loc = ("groups", index)
        if group.code in groups:
            raise library.error((*loc, "code"), _("the code “{code}” is used twice.").format(code=group.code))
        groups.add(group.code)
        _check_kinds(library, loc, group.kinds, known)
        for code in group.kinds:
            if code in kinds:
                problem = _("the kind “{code}” is already in the group “{group}”.").format(code=code, group=kinds[code])
                raise library.error((*loc, "kinds"), problem)
            kinds[code] = group.code
        item_codes: set[str] = set()
        for number, item in enumerate(group.items):
            if item.code in item_codes:
                problem = _("the code “{code}” is used twice.").format(code=item.code)
                raise library.error((*loc, "items", number, "code"), problem)
            item_codes.add(item.code)
            if item.verified and (item.max_amount is None or item.valid_from is None):
                problem = _("a verified amount needs both its amount and the date it applies from.")
                raise library.error((*loc, "items", number, "verified"), problem)
    return library


@lru_cache(maxsize=1)
def _rights_data() -> RightsLibraryIn:
    return read_rights().data


@lru_cache(maxsize=1)
def _costs_data() -> CostsLibraryIn:
    return read_costs().data


def clear_cache() -> None:
    """Forget the libraries read (tests that plant a library, a reload after an edit)."""
    for cached in (_rights_data, _costs_data, kind_forms, standard_titles):
        cached.cache_clear()


# --------------------------------------------------------------------------------------------- interface


def standard_url(number: int) -> str:
    """The public page of quality standard ``number``: the standards' section of the rights overview (the
    frameworks app's pages need a login; a public page of a standard replaces this in one place)."""
    try:
        return reverse("portal:rights") + f"#standard-{number}"
    except NoReverseMatch:  # pragma: no cover - the part's URLs are always mounted with the app
        return ""


def _right(item: RightIn) -> Right:
    return Right(
        code=item.code,
        title=item.title,
        text=item.text,
        standard=item.standard,
        standard_title=standard_titles().get(item.standard, ""),
        standard_url=standard_url(item.standard),
        verified=item.verified,
        source=item.source,
        applies_to=item.applies_to,
    )


def _applies(item: RightIn, kind_code: str | None, forms: frozenset[str]) -> bool:
    if item.applies_to == "all":
        return True
    if item.applies_to == "residential":
        return RESIDENTIAL in forms
    if item.applies_to == "residential_outpatient":
        return bool(forms & {RESIDENTIAL, OUTPATIENT})
    return kind_code is not None and kind_code in item.kinds


def all_rights() -> list[Right]:
    """Every right of the library, in its order."""
    return [_right(item) for item in _rights_data().rights]


def rights_for_kind(kind_code: str, *, forms: set[str] | frozenset[str] | None = None) -> list[Right]:
    """The rights of a client of a service of ``kind_code``; ``forms`` (pob / amb / ter) are the forms the service
    is provided in – the kind's allowed forms by default."""
    kind_code = str(kind_code)
    forms = frozenset(forms) if forms is not None else kind_forms().get(kind_code, frozenset())
    return [_right(item) for item in _rights_data().rights if _applies(item, kind_code, forms)]


def costs_for_kind(kind_code: str) -> CostInfo | None:
    """What a service of ``kind_code`` may cost; None when the library says nothing about the kind."""
    data = _costs_data()
    for group in data.groups:
        if str(kind_code) in group.kinds:
            allowance = data.care_allowance
            return CostInfo(
                code=group.code,
                title=group.title,
                free=group.free,
                text=group.text,
                verified=group.verified,
                source=group.source,
                items=[
                    CostItem(
                        code=item.code,
                        title=item.title,
                        max_amount=item.max_amount,
                        unit=item.unit,
                        valid_from=item.valid_from,
                        verified=item.verified,
                        source=item.source,
                    )
                    for item in group.items
                ],
                care_allowance=Step(allowance.text, allowance.verified, allowance.source)
                if group.care_allowance
                else None,
            )
    return None


def care_allowance_note() -> Step:
    note = _costs_data().care_allowance
    return Step(note.text, note.verified, note.source)


def contract_steps() -> list[Step]:
    return [Step(step.text, step.verified, step.source) for step in _rights_data().contract_steps]


def service_forms(service) -> frozenset[str]:
    """The delivery form codes (pob / amb / ter) of a service, from its prefetched ``forms``."""
    codes = set()
    for service_form in service.forms.all():
        code = service_form.form.code if service_form.form_id and service_form.form else service_form.form_code
        codes.add(str(code).rsplit("/", 1)[-1])
    return frozenset(codes)


def service_region_name(service) -> str:
    """The region of the service's facilities (the first that has one), from its prefetched ``facilities``."""
    for facility in service.facilities.all():
        region = facility.region or (facility.municipality.region if facility.municipality_id else None)
        if region is not None:
            return region.name
    return ""


def _complaint_steps(*, residential: bool, region: str) -> list[Step]:
    steps = []
    for step in _rights_data().complaint_steps:
        if step.applies_to == "residential" and not residential:
            continue
        steps.append(Step(step.text.replace("{region}", region), step.verified, step.source))
    return steps


def complaint_step_items(service) -> list[Step]:
    """The complaint steps for ``service`` with their source and verified flag (see :func:`complaint_steps`)."""
    return _complaint_steps(
        residential=RESIDENTIAL in service_forms(service),
        region=service_region_name(service) or _("the region where the service is provided"),
    )


def complaint_step_items_for_kind(kind_code: str) -> list[Step]:
    """The complaint steps of a kind's page (no particular region; residential steps when the kind may be)."""
    return _complaint_steps(
        residential=RESIDENTIAL in kind_forms().get(str(kind_code), frozenset()),
        region=_("the region where the service is provided"),
    )


def complaint_steps(service) -> list[str]:
    """How to complain about ``service``, in order (Czech): the worker, the provider's complaint procedure
    (standard 7) and its time limit, the registering region (named), the Public Defender of Rights, and for a
    residential service the inspection. Uses the service's prefetched forms and facilities."""
    return [step.text for step in complaint_step_items(service)]
