"""URL × role matrix entries of the needs app's XLSX routes (merged by tests/test_url_role_matrix.py)."""

OWNER_POST_SKIPPED = {
    "potreby/sber/<int:round_pk>/xlsx/": (
        "the upload takes a workbook downloaded from QMSS (signed locked cells); the matrix's placeholder file is "
        "refused as it should be – tests/needs/test_xlsx.py uploads real workbooks"
    ),
}
