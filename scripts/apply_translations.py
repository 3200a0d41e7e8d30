"""Developer tool: fill a .po catalogue from Python dicts of translations (T: singular, P: plural forms).

Usage: .venv/bin/python scripts/apply_translations.py src/qmss/locale/cs/LC_MESSAGES/django.po FILE.py [FILE.py …]
Prints the msgids still without a translation.
"""

import runpy
import sys

import polib


def main() -> int:
    po_path, *sources = sys.argv[1:]
    singular: dict[str, str] = {}
    plural: dict[str, list[str]] = {}
    for source in sources:
        data = runpy.run_path(source)
        singular.update(data.get("T", {}))
        plural.update(data.get("P", {}))
    po = polib.pofile(po_path)
    po.metadata["Plural-Forms"] = "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"
    po.metadata["Language"] = "cs"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    missing = []
    for entry in po:
        if entry.msgctxt:  # entries with a context are translated by hand: the same msgid means something else
            pass
        elif entry.msgid_plural:
            forms = plural.get(entry.msgid)
            if forms:
                entry.msgstr_plural = dict(enumerate(forms))
        elif entry.msgid in singular:
            entry.msgstr = singular[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if not entry.translated():
            missing.append(entry.msgid)
    po.save()
    for msgid in missing:
        print("MISSING:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
