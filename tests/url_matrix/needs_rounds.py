"""URL × role matrix entries of the data-collection rounds (qmss.needs urls_rounds)."""

SUBMISSION_PAGE = "potreby/sber/vykaz/<int:submission_pk>/"

POST_ONLY = {
    "potreby/sber/vykaz/<int:submission_pk>/ulozit/": (
        "section forms of the report page (htmx autosave)",
        SUBMISSION_PAGE,
        "A provider/admin",
    ),
    "potreby/sber/vykaz/<int:submission_pk>/odeslat/": (
        "submit form of the report page",
        SUBMISSION_PAGE,
        "A provider/admin",
    ),
    "potreby/sber/vykaz/<int:submission_pk>/odpoved/": (
        "reply form of the report page",
        SUBMISSION_PAGE,
        "A provider/admin",
    ),
}

OWNER_POST_SKIPPED = {
    "potreby/sber/<int:round_pk>/otevrit/": (
        "the matrix round is open already (opening it again writes nothing); opening is covered by "
        "tests/needs/test_rounds_web.py"
    ),
    "potreby/sber/vykaz/<int:submission_pk>/odeslat/": (
        "the matrix report is an empty draft: submitting it is refused (required values); covered by "
        "tests/needs/test_rounds_web.py"
    ),
    "potreby/sber/vykaz/<int:submission_pk>/schvalit/": (
        "the matrix report is a draft: only a submitted one is approved; covered by tests/needs/test_rounds_web.py"
    ),
    "potreby/sber/vykaz/<int:submission_pk>/vratit/": (
        "the matrix report is a draft: only a submitted one is returned; covered by tests/needs/test_rounds_web.py"
    ),
}
