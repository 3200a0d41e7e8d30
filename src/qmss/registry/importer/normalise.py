"""Validate one raw registry record and turn it into the canonical dict that is stored and fingerprinted.

Only the fields we keep are copied (a whitelist), so personal data of the source – names of statutory bodies
(``poskytovatel.statutarniOrgany``) and of facility heads – never get past this module.
A bad field raises :class:`RecordError` with its path (e.g. ``formy[0].kapacity[1].pocet``); the record is
then skipped by the caller.

This runs for every record of a > 30 MB file on every import, so it is written for speed: the common value
types are checked inline and the path of a field is only put together when something is wrong (the helpers
raise :class:`_Bad` with the path below the current object; the callers prepend their part).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.importer.errors import RecordError

KIND_PREFIX = "DruhSocialniSluzby"
FORM_PREFIX = "FormaSocialniSluzby"
CAPACITY_PREFIX = "TypKapacitySocialniSluzby"
TARGET_GROUP_PREFIX = "CilovaSkupinaOsoby"

_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?$")
# Every dict of the canonical record is built with its keys in sorted order, so this encoder (without
# sort_keys, which costs a third of the encoding time) gives exactly the sort_keys=True text.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_SORTING_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), check_circular=False)

_TEXT, _NAMED, _NUMBER, _POSTAL = 0, 1, 2, 3
#: Address parts kept, in sorted key order: (key, how to read it, code-list prefix for territory references).
#: ``None`` values are left out of the canonical address.
ADDRESS_PARTS: tuple[tuple[str, int, str], ...] = (
    ("castObce", _NAMED, ""),
    ("cisloDomovni", _TEXT, ""),
    ("cisloOrientacni", _TEXT, ""),
    ("dodatekAdresy", _TEXT, ""),
    ("kodAdresnihoMista", _NUMBER, ""),
    ("kraj", _NAMED, "Kraj"),
    ("mestskyObvodMestskaCast", _NAMED, ""),
    ("mestskyObvodVPraze", _NAMED, ""),
    ("obec", _NAMED, "Obec"),
    ("okres", _NAMED, "Okres"),
    ("psc", _POSTAL, ""),
    ("ulice", _NAMED, ""),
)


class _Bad(Exception):
    """A bad value below the object being read; ``where`` is the rest of its path (".adresa.psc")."""

    def __init__(self, where: str, message: str, code: Code = Code.INVALID) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.code = code


def canonical_json(canonical: dict[str, Any]) -> str:
    """The canonical JSON text of a dict made by :func:`normalise`: sorted keys, compact, not ASCII-escaped
    (the same text as ``json.dumps(sort_keys=True)``, without the cost of sorting)."""
    return _ENCODER.encode(canonical)


def fingerprint_of(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 – a change detector, not security


def fingerprint(canonical: dict[str, Any]) -> str:
    """sha1 of the canonical JSON of a record, for a canonical dict in any key order (e.g. read back from jsonb)."""
    return fingerprint_of(_SORTING_ENCODER.encode(canonical))


def ref_code(ref: str | None) -> str | None:
    """``"DruhSocialniSluzby/13"`` → ``"13"``."""
    if not ref:
        return None
    return ref.rpartition("/")[2]


# -- values ---------------------------------------------------------------------------------------------------------
def _text_other(value: Any, where: str) -> str:
    if value.__class__ is int:
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    raise _Bad(where, _("expected text"))


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if value.__class__ is str:
        return value.strip() or None
    return _text_other(value, where)


def _date(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if value.__class__ is str:
        text = value if len(value) == 10 else (m.group(1) if (m := _DATE_TIME.match(value.strip())) else "")
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                date.fromisoformat(text)
            except ValueError:
                pass
            else:
                return text
    raise _Bad(where, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": value})


MAX_INTEGER = 2**31 - 1  # capacities (an integer column)
MAX_BIG_INTEGER = 2**63 - 1  # portal ids, address points (bigint columns)


def _whole(value: Any, where: str, *, allow_digit_text: bool = False, limit: int = MAX_BIG_INTEGER) -> int | None:
    if value is None:
        return None
    cls = value.__class__
    if cls is int:
        number = value
    elif cls is float and value.is_integer():
        number = int(value)
    elif allow_digit_text and cls is str and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise _Bad(where, _("“%(value)s” is not a whole number") % {"value": value})
    if number < 0:
        raise _Bad(where, _("“%(value)s” is negative") % {"value": value})
    if number > limit:
        raise _Bad(
            where,
            _("the number “%(value)s” is out of range (at most %(limit)s)") % {"value": value, "limit": limit},
            Code.OUT_OF_RANGE,
        )
    return number


def _object(value: Any, where: str = "") -> dict[str, Any] | None:
    if value is None or value.__class__ is dict:
        return value
    raise _Bad(where, _("expected an object"))


def _list(value: Any, where: str = "") -> list[Any]:
    if value is None:
        return []
    if value.__class__ is list:
        return value
    raise _Bad(where, _("expected a list"))


def _ref(value: Any, where: str) -> str | None:
    """A code-list reference ``{"id": "CodeList/code"}`` → ``"CodeList/code"`` (a bare string is accepted)."""
    if value.__class__ is dict:
        return _text(value.get("id"), f"{where}.id")
    return _text(value, where)


def _named(value: Any, where: str) -> str | None:
    """An address part that may be an object with a name (``ulice: {"nazev"}``), a reference, or text."""
    if value.__class__ is dict:
        if value.get("nazev") is not None:
            return _text(value["nazev"], f"{where}.nazev")
        return _text(value.get("id"), f"{where}.id")
    return _text(value, where)


def _territory_code(value: Any, key: str, prefix: str) -> str | None:
    """``{"id": "Obec/554782"}`` → ``"554782"``."""
    ref = value.get("id") if value.__class__ is dict else value
    if ref is None:
        return None
    if ref.__class__ is str:
        head, _sep, code = ref.strip().rpartition("/")
        if (not head or head == prefix) and code.isascii() and code.isdigit():
            return code
    raise _Bad(f".{key}", _("“%(value)s” is not a %(prefix)s/<number> reference") % {"value": ref, "prefix": prefix})


def _contacts(value: Any, key: str) -> list[str]:
    """``[{"web": "www.x.cz", "poznamka": null}]`` → ``["www.x.cz"]`` (unique, in order)."""
    found: dict[str, None] = {}
    for entry in _list(value):
        text = entry.get(key) if entry.__class__ is dict else entry
        if text.__class__ is str:
            text = text.strip()
        elif text is not None:
            text = _text_other(text, f"[{_position(value, entry)}].{key}")
        if text:
            found[text] = None
    return list(found)


def _position(items: list[Any], entry: Any) -> int:
    return next(position for position, item in enumerate(items) if item is entry)


def _group_refs(value: Any, inner: str) -> list[str]:
    """``[{"cilovaSkupina": {"id": "CilovaSkupinaOsoby/24"}}]`` → ``["CilovaSkupinaOsoby/24"]`` (sorted, unique)."""
    refs = set()
    for entry in _list(value):
        ref = entry.get(inner) if entry.__class__ is dict and inner in entry else entry
        if ref.__class__ is dict:
            ref = ref.get("id")
        if ref.__class__ is str:
            ref = ref.strip()
        elif ref is not None:
            ref = _text_other(ref, f"[{_position(value, entry)}].{inner}.id")
        if ref:
            refs.add(ref)
    return sorted(refs)


# -- parts of a record ----------------------------------------------------------------------------------------------
def _postal_code(value: Any) -> str | None:
    text = _text(value, ".psc")
    if text is None:
        return None
    digits = text.replace(" ", "")
    if not (len(digits) == 5 and digits.isascii() and digits.isdigit()):
        raise _Bad(".psc", _("“%(value)s” is not a 5-digit postal code") % {"value": value})
    return digits


def _address(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if raw.__class__ is not dict:
        raise _Bad("", _("expected an object"))
    address: dict[str, Any] = {}
    get = raw.get
    for key, how, prefix in ADDRESS_PARTS:
        value = get(key)
        if value is None:
            continue
        if how == _NAMED:
            if prefix:
                value = _territory_code(value, key, prefix)
            elif value.__class__ is str:
                value = value.strip() or None
            else:
                value = _named(value, f".{key}")
        elif how == _TEXT:
            value = value.strip() or None if value.__class__ is str else _text_other(value, f".{key}")
        elif how == _NUMBER:
            if not (value.__class__ is int and 0 <= value <= MAX_BIG_INTEGER):
                value = _whole(value, f".{key}", allow_digit_text=True)
        else:
            value = _postal_code(value)
        if value is not None:
            address[key] = value
    return address


def _facility(raw: Any) -> dict[str, Any]:
    if raw.__class__ is not dict:
        raise _Bad("", _("expected an object"))
    # Heads of facilities (vedouci, osoby, …) are personal data: not copied.
    try:
        address = _address(raw.get("adresa"))
    except _Bad as bad:
        raise _Bad(f".adresa{bad.where}", bad.message, bad.code) from None
    return {
        "adresa": address,
        "nazev": _text(raw.get("nazev"), ".nazev"),
        "poskytujeDo": _date(raw.get("poskytujeDo"), ".poskytujeDo"),
        "poskytujeOd": _date(raw.get("poskytujeOd"), ".poskytujeOd"),
    }


def _capacity(raw: Any) -> dict[str, Any]:
    if raw.__class__ is not dict:
        raise _Bad("", _("expected an object"))
    count = _whole(raw.get("pocet"), ".pocet", limit=MAX_INTEGER)
    if count is None:
        raise _Bad(".pocet", _("missing registered capacity"), Code.REQUIRED)
    kind = _ref(raw.get("typ"), ".typ")
    if kind is None:
        raise _Bad(".typ", _("missing capacity type"), Code.REQUIRED)
    return {"pocet": count, "popis": _text(raw.get("popis"), ".popis"), "typ": kind}


def _form(raw: Any) -> dict[str, Any]:
    if raw.__class__ is not dict:
        raise _Bad("", _("expected an object"))
    form = _ref(raw.get("forma"), ".forma")
    if form is None:
        raise _Bad(".forma", _("missing delivery form"), Code.REQUIRED)
    continuous = raw.get("nepretrzitePoskytovani")
    if continuous is not None and continuous.__class__ is not bool:
        raise _Bad(".nepretrzitePoskytovani", _("expected true or false"))
    capacities = []
    for position, item in enumerate(_list(raw.get("kapacity"), ".kapacity")):
        try:
            capacities.append(_capacity(item))
        except _Bad as bad:
            raise _Bad(f".kapacity[{position}]{bad.where}", bad.message, bad.code) from None
    if len(capacities) > 1:
        capacities.sort(key=lambda item: (item["typ"], item["popis"] or "", item["pocet"]))
    return {"forma": form, "kapacity": capacities, "nepretrzitePoskytovani": continuous}


def _provider(raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The provider part kept in the service snapshot, and the provider's own data (contacts) kept apart."""
    raw = _object(raw)
    if raw is None:
        raise _Bad("", _("missing provider"), Code.REQUIRED)
    ico = raw.get("ico")
    if ico.__class__ is int:
        ico = str(ico)
    if ico.__class__ is not str or not (0 < len(ico.strip()) <= 8 and ico.strip().isascii() and ico.strip().isdigit()):
        raise _Bad(".ico", _("“%(value)s” is not a company ID (IČO)") % {"value": ico})
    legal_form = raw.get("pravniForma")
    if legal_form.__class__ is dict:
        legal_form = legal_form.get("nazev") or legal_form.get("id")
    snapshot = {
        "ico": ico.strip().zfill(8),
        "nazev": _text(raw.get("nazev"), ".nazev"),
        "pravniForma": _text(legal_form, ".pravniForma"),
    }
    # statutarniOrgany (names of statutory bodies) is personal data: deliberately never read.
    # The provider's own data, only what the record gives (a contact list that is absent stays as it was).
    extra = {"id": _text(raw.get("id"), ".id")}
    for key, inner in (("weby", "web"), ("emaily", "email"), ("telefony", "telefon")):
        if raw.get(key) is None:
            continue
        try:
            extra[key] = _contacts(raw[key], inner)
        except _Bad as bad:
            raise _Bad(f".{key}{bad.where}", bad.message, bad.code) from None
    return snapshot, extra


def _each(items: list[Any], reader, name: str) -> list[dict[str, Any]]:
    result = []
    for position, item in enumerate(items):
        try:
            result.append(reader(item))
        except _Bad as bad:
            raise _Bad(f"[{position}]{bad.where}", bad.message, bad.code) from None
    return result


def portal_id_of(record: dict[str, Any]) -> int:
    value = record.get("portalId")
    try:
        portal_id = _whole(value, "", allow_digit_text=True)
    except _Bad as bad:
        if bad.code == Code.OUT_OF_RANGE:
            raise RecordError("portalId", bad.message, bad.code) from None
        portal_id = None
    if not portal_id:
        raise RecordError(
            "portalId",
            _("missing or not a positive whole number: “%(value)s”") % {"value": value},
            Code.REQUIRED if value is None else Code.INVALID,
        )
    return portal_id


def normalise(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(canonical, provider_extra)`` for one raw record, or raise RecordError."""
    portal_id = portal_id_of(record)
    get = record.get
    name = "druhSocialniSluzby"  # the field being read, for the error path
    try:
        kind = _ref(get(name), "")
        if kind is None:
            raise _Bad("", _("missing kind of service"), Code.REQUIRED)
        name = "poskytovatel"
        provider, provider_extra = _provider(get(name))
        name = "formy"
        forms = _each(_list(get(name)), _form, name)
        if len(forms) > 1:
            forms.sort(key=lambda item: item["forma"])
        name = "zarizeni"
        facilities = _each(_list(get(name)), _facility, name)
        canonical = {"ciloveSkupiny": _group_refs(get(name := "ciloveSkupiny"), "cilovaSkupina")}
        # keys in sorted order (see _ENCODER)
        canonical["datumPoskytovaniDo"] = _date(get(name := "datumPoskytovaniDo"), "")
        canonical["datumPoskytovaniOd"] = _date(get(name := "datumPoskytovaniOd"), "")
        canonical["druhSocialniSluzby"] = kind
        canonical["emaily"] = _contacts(get(name := "emaily"), "email")
        canonical["formy"] = forms
        canonical["id"] = _text(get(name := "id"), "")
        canonical["identifikator"] = _text(get(name := "identifikator"), "")
        canonical["portalId"] = portal_id
        canonical["poskytovatel"] = provider
        canonical["telefony"] = _contacts(get(name := "telefony"), "telefon")
        canonical["vekoveSkupiny"] = _group_refs(get(name := "vekoveSkupiny"), "vekovaSkupina")
        canonical["weby"] = _contacts(get(name := "weby"), "web")
        canonical["zarizeni"] = facilities
    except _Bad as bad:
        raise RecordError(f"{name}{bad.where}", bad.message, bad.code) from None
    return canonical, provider_extra
