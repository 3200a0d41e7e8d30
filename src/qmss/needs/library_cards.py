"""The QMSS model cards of service kinds (``libraries/needs/kind-cards.yaml``, ``urn:qmss:needs:kind-cards``).

A model card is a :class:`~qmss.needs.models.KindCard` without a region: the starting draft a region copies. The
file is read through the one library loader (:mod:`qmss.core.libraries`: envelope, file/line errors); every code
(kind, capacity type, basic activity, need) is checked against the database before anything is written, and a
basic activity must belong to the kind (registry reference data). Nothing is written on an error.

Versioning like the other libraries: the model cards of library version N are stored as card version N. A
version already loaded with the same content is skipped; changed content of a version no region has copied yet
is replaced in place; a copied (used) version is refused – raise the version number. A new version's cards are
published and the previous model cards of the same kinds are superseded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError
from qmss.needs.library import LoadResult, LoadStatus
from qmss.needs.models import KindCard, KindCardNeed, Need, Taxonomy
from qmss.registry.models import BasicActivity, CapacityType, ServiceKind

URN = "urn:qmss:needs:kind-cards"
TAXONOMY_URN = "urn:qmss:needs:taxonomy"
FILE_NAME = "kind-cards.yaml"


class KindCardLibraryError(QmssImportError, ValueError):
    """The model-card library is malformed or refers to unknown codes; the message names file, line and field."""


# ---------------------------------------------------------------------------------------------- schema


class CardNeedIn(lib.Schema):
    need: lib.StrictCode
    activities: lib.Codes = []
    note: lib.text(blank=True) = ""


class CardIn(lib.Schema):
    kind: lib.Code
    capacity_type: lib.StrictCode
    activities: lib.Codes
    source: lib.text()
    verified: lib.Flag
    needs_verified: lib.Flag = False
    purpose: lib.text()
    public_expectations: lib.text()
    needs: lib.NonEmptyList[CardNeedIn]


class KindCardLibraryIn(lib.Envelope):
    taxonomy_version: lib.Whole
    cards: lib.NonEmptyList[CardIn]


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "needs" / FILE_NAME


def _fingerprint(cards: list[dict]) -> str:
    canonical = json.dumps(sorted(cards, key=lambda c: c["kind"]), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _card_dict(card: CardIn | KindCard, taxonomy_id: int) -> dict:
    if isinstance(card, KindCard):
        needs = [
            {"need": n.need.code, "activities": sorted(a.code for a in n.activities.all()), "note": n.note}
            for n in card.needs.all()
        ]
        return {
            "kind": card.kind.code,
            "capacity_type": card.capacity_type.code if card.capacity_type else "",
            "activities": sorted(a.code for a in card.activities.all()),
            "source": card.source,
            "verified": card.verified,
            "purpose": card.purpose,
            "public_expectations": card.public_expectations,
            "needs": needs,
            "taxonomy": card.taxonomy_id,
        }
    return {
        "kind": card.kind,
        "capacity_type": card.capacity_type,
        "activities": sorted(card.activities),
        "source": _source_text(card),
        "verified": card.verified,
        "purpose": card.purpose,
        "public_expectations": card.public_expectations,
        "needs": [{"need": n.need, "activities": sorted(n.activities), "note": n.note} for n in card.needs],
        "taxonomy": taxonomy_id,
    }


def _source_text(card: CardIn) -> str:
    """The card's source as stored (Czech data like the library's texts, not a UI string)."""
    mapping = "ověřeno" if card.needs_verified else "návrh QMSS, neověřeno"
    return f"{card.source}\nPřiřazení potřeb: {mapping}"


def read_model_cards(path: Path | None = None) -> lib.Library[KindCardLibraryIn]:
    path = path or default_path()
    return lib.read_library(path, KindCardLibraryIn, label=path.name, error=KindCardLibraryError, urn=URN)


@dataclass
class _Resolved:
    taxonomy: Taxonomy
    kinds: dict[str, ServiceKind]
    capacity_types: dict[str, CapacityType]
    activities: dict[str, BasicActivity]
    needs: dict[str, Need]


def _resolve(library: lib.Library[KindCardLibraryIn]) -> _Resolved:
    """Check every code of the file against the database (kind, unit, activities of the kind, needs)."""
    data = library.data
    taxonomy = Taxonomy.objects.filter(urn=TAXONOMY_URN, version=data.taxonomy_version).first()
    if taxonomy is None:
        problem = _("version {version} of the needs taxonomy is not loaded; load the taxonomy first.").format(
            version=data.taxonomy_version
        )
        raise library.error(("taxonomy_version",), problem)
    kinds = {k.code: k for k in ServiceKind.objects.prefetch_related("activities")}
    capacity_types = {c.code: c for c in CapacityType.objects.all()}
    activities = {a.code: a for a in BasicActivity.objects.all()}
    needs = {n.code: n for n in Need.objects.filter(taxonomy=taxonomy)}
    seen: set[str] = set()
    for index, card in enumerate(data.cards):
        loc = ("cards", index)
        kind = kinds.get(card.kind)
        if kind is None:
            raise library.error((*loc, "kind"), _("unknown service kind “{code}”.").format(code=card.kind))
        if card.kind in seen:
            raise library.error((*loc, "kind"), _("the kind “{code}” has two cards.").format(code=card.kind))
        seen.add(card.kind)
        if card.capacity_type not in capacity_types:
            problem = _("unknown unit of capacity “{code}”.").format(code=card.capacity_type)
            raise library.error((*loc, "capacity_type"), problem)
        of_kind = {a.code for a in kind.activities.all()}
        for code in card.activities:
            if code not in activities:
                raise library.error((*loc, "activities"), _("unknown basic activity “{code}”.").format(code=code))
            if code not in of_kind:
                problem = _("“{code}” is not a basic activity of the kind “{kind}”.").format(code=code, kind=kind.name)
                raise library.error((*loc, "activities"), problem)
        need_codes: set[str] = set()
        for number, item in enumerate(card.needs):
            need_loc = (*loc, "needs", number)
            if item.need not in needs:
                raise library.error((*need_loc, "need"), _("unknown need “{code}”.").format(code=item.need))
            if item.need in need_codes:
                raise library.error((*need_loc, "need"), _("the need “{code}” is listed twice.").format(code=item.need))
            need_codes.add(item.need)
            for code in item.activities:
                if code not in card.activities:
                    problem = _("“{code}” is not one of the card's basic activities.").format(code=code)
                    raise library.error((*need_loc, "activities"), problem)
    return _Resolved(taxonomy, kinds, capacity_types, activities, needs)


def _stored_model_cards():
    return KindCard.objects.filter(region__isnull=True).select_related("kind", "capacity_type")


def _create_cards(data: KindCardLibraryIn, resolved: _Resolved) -> list[KindCard]:
    now = timezone.now()
    created = []
    for card in data.cards:
        record = KindCard.objects.create(
            region=None,
            organisation=None,
            kind=resolved.kinds[card.kind],
            version=data.version,
            state=KindCard.State.PUBLISHED,
            taxonomy=resolved.taxonomy,
            purpose=card.purpose,
            public_expectations=card.public_expectations,
            capacity_type=resolved.capacity_types[card.capacity_type],
            source=_source_text(card),
            verified=card.verified,
            valid_from=data.valid_from,
            published_at=now,
        )
        record.activities.set([resolved.activities[code] for code in card.activities])
        for order, item in enumerate(card.needs, start=1):
            card_need = KindCardNeed.objects.create(
                card=record, need=resolved.needs[item.need], note=item.note, order=order
            )
            card_need.activities.set([resolved.activities[code] for code in item.activities])
        created.append(record)
    return created


def load_model_cards(path: Path | None = None) -> LoadResult:
    """Read, check and store the model cards; raises :class:`KindCardLibraryError` (file, line, field) and
    writes nothing when anything is wrong."""
    library = read_model_cards(path)
    data = library.data
    resolved = _resolve(library)
    wanted = _fingerprint([_card_dict(card, resolved.taxonomy.pk) for card in data.cards])
    stored_cards = list(
        _stored_model_cards().prefetch_related("activities", "needs__need", "needs__activities").order_by("version")
    )
    by_version: dict[int, list[KindCard]] = {}
    for card in stored_cards:
        by_version.setdefault(card.version, []).append(card)
    stored = {
        version: _fingerprint([_card_dict(card, card.taxonomy_id) for card in cards])
        for version, cards in by_version.items()
    }
    used = set(
        KindCard.objects.filter(region__isnull=False, based_on__region__isnull=True, based_on__isnull=False)
        .values_list("based_on__version", flat=True)
        .distinct()
    )
    status = lib.check_version(library, stored=stored, used=used, checksum=wanted)

    def result(load_status: LoadStatus) -> LoadResult:
        return LoadResult("kind_cards", URN, data.version, load_status, data.title, library.file, None, True)

    if status == lib.VersionStatus.UNCHANGED:
        return result(LoadStatus.UNCHANGED)
    with transaction.atomic(), disable_auditlog():
        if status == lib.VersionStatus.CHANGED:
            old = KindCard.objects.filter(region__isnull=True, version=data.version)
            KindCardNeed.objects.filter(card__in=old).delete()
            old.delete()
        created = _create_cards(data, resolved)
        today = timezone.localdate()
        KindCard.objects.filter(
            region__isnull=True,
            kind__in=[card.kind for card in created],
            version__lt=data.version,
            state=KindCard.State.PUBLISHED,
        ).update(state=KindCard.State.SUPERSEDED, valid_to=today)
    if status == lib.VersionStatus.CHANGED:
        return result(LoadStatus.UPDATED)
    return result(LoadStatus.NEW_VERSION if stored else LoadStatus.CREATED)
