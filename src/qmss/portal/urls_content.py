"""Awareness content: public pages under /osveta/, the editors' pages under /redakce/ (namespace ``portal``)."""

from django.urls import path

from qmss.portal import views_content as public
from qmss.portal import views_content_edit as edit

urlpatterns = [
    path("osveta/", public.article_list, name="articles"),
    path("osveta/<slug:article_slug>/", public.article_detail, name="article"),
    path("osveta/<slug:article_slug>/prilohy/<int:attachment_pk>/", public.attachment, name="attachment"),
    path("redakce/", edit.editorial, name="editorial"),
    path("redakce/clanky/novy/", edit.article_new, name="article_new"),
    path("redakce/clanky/<int:article_pk>/", edit.article_edit, name="article_edit"),
    path("redakce/clanky/<int:article_pk>/historie/", edit.article_history, name="article_history"),
    path("redakce/clanky/<int:article_pk>/stav/", edit.article_transition, name="article_transition"),
    path("redakce/clanky/<int:article_pk>/nahled/", edit.article_preview, name="article_preview"),
    path("redakce/clanky/<int:article_pk>/prilohy/nova/", edit.attachment_add, name="attachment_add"),
    path("redakce/prilohy/<int:attachment_pk>/smazat/", edit.attachment_delete, name="attachment_delete"),
]
