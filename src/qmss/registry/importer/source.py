"""Where the registry file comes from: a local path, or an http(s) URL downloaded to a temporary file first."""

from __future__ import annotations

import contextlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.importer.errors import RegistryImportError

CHUNK_BYTES = 1024 * 1024
TIMEOUT_SECONDS = 60
USER_AGENT = "qmss-registry-import/1.0"


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def _open_url(url: str, timeout: int = TIMEOUT_SECONDS):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 – only http(s), checked by is_url


def _download_error(url: str, reason: object) -> RegistryImportError:
    return RegistryImportError(
        _("Could not download %(url)s: %(reason)s") % {"url": url, "reason": reason}, file=url,
        code=Code.DOWNLOAD_FAILED,
    )  # fmt: skip


def _too_large(url: str, limit: int) -> RegistryImportError:
    return RegistryImportError(
        _("The file at %(url)s is larger than the allowed %(limit)s MB.") % {"url": url, "limit": limit // 2**20},
        file=url,
        code=Code.FILE_TOO_LARGE,
    )


def download_bytes(url: str, *, max_bytes: int) -> bytes:
    """Download a small file (a code list) into memory, refusing more than ``max_bytes``."""
    try:
        with _open_url(url) as response:
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _download_error(url, getattr(exc, "reason", exc)) from exc
    if len(data) > max_bytes:
        raise _too_large(url, max_bytes)
    return data


def _download(url: str, target, max_bytes: int) -> None:
    try:
        with _open_url(url) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(url, max_bytes)
            received = 0
            while chunk := response.read(CHUNK_BYTES):
                received += len(chunk)
                if received > max_bytes:
                    raise _too_large(url, max_bytes)
                target.write(chunk)
    except RegistryImportError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _download_error(url, getattr(exc, "reason", exc)) from exc


@contextlib.contextmanager
def local_file(source: str | Path) -> Iterator[Path]:
    """Yield a local path for ``source``; a URL is streamed to a temporary file (removed afterwards)."""
    if not is_url(source):
        path = Path(source)
        if not path.is_file():
            raise RegistryImportError(
                _("The file %(file)s does not exist.") % {"file": path}, file=str(path), code=Code.FILE_NOT_FOUND
            )
        yield path
        return
    url = str(source)
    handle, name = tempfile.mkstemp(prefix="qmss-rpss-", suffix=".json")
    try:
        with os.fdopen(handle, "wb") as target:
            _download(url, target, settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
