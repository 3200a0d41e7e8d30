"""URL × role matrix entries of the rules routes (see tests/test_url_role_matrix.py for the shapes)."""

PUBLIC = {
    "sit/pravidla/<int:network_pk>/": "rules of a network in force: public by design (drafts: manager team only)",
}
