"""Import of the MPSV registry of social services (``rpss.json``).

``run_import(source, ...)`` streams the file (``{"polozky": [...]}``, > 30 MB nationally), validates and
normalises every record (personal data is dropped at parse time), and upserts providers, services, forms,
capacities and facilities keyed by ``portalId`` in ONE transaction, recording every new, changed, ended and
missing service as a RegistryChange of the returned RegistryImport. A second import of the same file writes
nothing but the RegistryImport row. Structural errors raise :class:`RegistryImportError` and write nothing;
a single bad record is skipped and listed with its field path.
"""

from qmss.registry.importer.errors import RegistryImportError
from qmss.registry.importer.normalise import fingerprint, normalise
from qmss.registry.importer.run import COUNT_KEYS, run_import

__all__ = ["COUNT_KEYS", "RegistryImportError", "fingerprint", "normalise", "run_import"]
