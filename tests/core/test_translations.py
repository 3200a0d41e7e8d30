from pathlib import Path

import polib

import qmss

CATALOGUE = Path(qmss.__file__).parent / "locale" / "cs" / "LC_MESSAGES" / "django.po"


def test_czech_catalogue_is_complete():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in po if not entry.translated()]
    assert not untranslated, "Czech translation missing for: " + "; ".join(untranslated[:20])
    assert not [entry.msgid for entry in po if "fuzzy" in entry.flags]
