"""URL × role matrix entries of the reference values (qmss.financing.urls_reference).

Reference values are published data: the list, a set, its export and the template show no tenant secret to
anybody (public pages name the region the manager governs, not the manager organisation). The import page is the
managers' and shows their organisations (checked as usual)."""

PUBLIC = {
    "financovani/referencni-hodnoty/": "reference value sets: public by design",
    "financovani/referencni-hodnoty/<int:reference_set_pk>/": "a set of reference values: public by design",
    "financovani/referencni-hodnoty/<int:reference_set_pk>/export.xlsx": "export of a set: public by design",
    "financovani/referencni-hodnoty/sablona.xlsx": "the empty XLSX template: no data",
}

OWNER_POST_SKIPPED = {
    "financovani/referencni-hodnoty/import/": (
        "the import takes an XLSX workbook; the matrix's placeholder file is refused as it should be – "
        "tests/financing/test_reference_import.py uploads real workbooks"
    ),
}
