"""Warning signs of an unregistered "social service" (``libraries/portal/warning-signs.yaml``), read and checked
through the core library loader :mod:`qmss.core.libraries`. Each sign carries its ``source`` and ``verified`` flag
(shown to users as "ověřeno" / "neověřeno"). The public page of unregistered services and the registration check
show them; ``warning_signs()`` is cached by the file's mtime."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError

FILE_NAME = "warning-signs.yaml"
URN = "urn:qmss:portal:warning-signs"
MIN_SIGNS = 8


class WarningSignsError(QmssImportError, ValueError):
    """The warning-signs library is malformed; the message names file, line and field."""


class SignIn(lib.Schema):
    code: lib.StrictCode
    title: lib.text(200)
    text: lib.text(1500)
    what_to_do: lib.text(1000)
    source: lib.text(500)
    verified: lib.Flag


class WarningSignsIn(lib.Envelope):
    verified: lib.Flag = False
    signs: lib.NonEmptyList[SignIn]


@dataclass(frozen=True)
class WarningSign:
    code: str
    title: str
    text: str
    what_to_do: str
    source: str
    verified: bool


@dataclass(frozen=True)
class WarningSigns:
    title: str
    source: str
    signs: tuple[WarningSign, ...]


def library_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "portal" / FILE_NAME


def read_warning_signs(path: Path) -> WarningSigns:
    """Read and check the library: at least ``MIN_SIGNS`` signs, codes unique."""
    library = lib.read_library(path, WarningSignsIn, label=path.name, error=WarningSignsError, urn=URN)
    signs = library.data.signs
    if len(signs) < MIN_SIGNS:
        raise library.error(("signs",), _("list at least {n} warning signs.").format(n=MIN_SIGNS))
    seen: set[str] = set()
    for index, sign in enumerate(signs):
        if sign.code in seen:
            raise library.error(("signs", index, "code"), _("the code is used by another warning sign."))
        seen.add(sign.code)
    return WarningSigns(
        title=library.data.title,
        source=library.data.source,
        signs=tuple(
            WarningSign(s.code, s.title, s.text, s.what_to_do, s.source, s.verified) for s in library.data.signs
        ),
    )


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> WarningSigns:
    return read_warning_signs(Path(path))


def warning_signs(path: Path | None = None) -> WarningSigns:
    path = path or library_path()
    return _cached(str(path), path.stat().st_mtime)
