"""Size bands of registered capacity (``libraries/needs/size-bands.yaml``): the third key of an indicator's peer
group (kind × delivery forms × size band). Data with a source, read through the core library loader."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError

SIZE_BANDS_FILE = "size-bands.yaml"
SIZE_BANDS_URN = "urn:qmss:needs:size-bands"

# --- size bands (data) -----------------------------------------------------------------------------------------


class SizeBandsError(QmssImportError, ValueError):
    """The size-band library is malformed; the message names file, line and field."""


class BandIn(lib.Schema):
    code: lib.Code
    name: lib.text()
    min: lib.Whole
    max: lib.OptionalWhole = None


class SizeBandsIn(lib.Envelope):
    verified: lib.Flag = False
    bands: lib.NonEmptyList[BandIn]


@dataclass(frozen=True)
class SizeBand:
    code: str
    name: str
    minimum: int
    maximum: int | None

    def contains(self, capacity: Decimal) -> bool:
        return capacity >= self.minimum and (self.maximum is None or capacity <= self.maximum)


@dataclass(frozen=True)
class SizeBands:
    bands: tuple[SizeBand, ...]
    source: str
    verified: bool

    def band_for(self, capacity: Decimal | None) -> SizeBand | None:
        if capacity is None:
            return None
        return next((band for band in self.bands if band.contains(capacity)), None)


def size_bands_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "needs" / SIZE_BANDS_FILE


def read_size_bands(path: Path) -> SizeBands:
    """Read and check the size bands: consecutive, starting at 0, without gaps or overlaps, only the last open."""
    library = lib.read_library(path, SizeBandsIn, label=path.name, error=SizeBandsError, urn=SIZE_BANDS_URN)
    bands = library.data.bands
    expected = 0
    for index, band in enumerate(bands):
        if band.min != expected:
            problem = _("the band must start at {value}.").format(value=expected)
            raise library.error(("bands", index, "min"), problem)
        last = index == len(bands) - 1
        if band.max is None and not last:
            raise library.error(("bands", index, "max"), _("only the last band may be open."))
        if band.max is not None and band.max < band.min:
            raise library.error(("bands", index, "max"), _("must not be lower than the minimum."))
        expected = (band.max or 0) + 1
    return SizeBands(
        bands=tuple(SizeBand(b.code, b.name, b.min, b.max) for b in bands),
        source=library.data.source,
        verified=library.data.verified,
    )


@lru_cache(maxsize=4)
def _cached_bands(path: str, mtime: float) -> SizeBands:
    return read_size_bands(Path(path))


def size_bands(path: Path | None = None) -> SizeBands:
    path = path or size_bands_path()
    return _cached_bands(str(path), path.stat().st_mtime)
