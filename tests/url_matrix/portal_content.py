"""URL × role matrix entries of the content part (qmss.portal urls_content).

Tenant A's regional authority has a *draft* article with an attachment (``qmss.portal.testing_content``). The
public pages show published content only: the draft's public page and its attachment answer 404 to everybody,
its owners included (editors read drafts through the preview), and the public list never names it."""

PUBLIC = {
    "osveta/": "published awareness content only: public by design (A's draft is never listed)",
    "api/v1/portal/articles": "published awareness content only: public by design",
}

NO_SECRET = {
    "osveta/<slug:article_slug>/": (404, "the public page shows published articles only; A's article is a draft"),
    "osveta/<slug:article_slug>/prilohy/<int:attachment_pk>/": (
        404,
        "attachments are public only for published articles; A's article is a draft",
    ),
}

POST_ONLY = {
    "redakce/clanky/<int:article_pk>/stav/": (
        "workflow buttons of the article's editor page",
        "redakce/clanky/<int:article_pk>/",
        "A region/network_manager",
    ),
}
