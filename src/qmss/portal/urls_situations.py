"""URLs of the situations part (names and parameters as in the spec): the public "how to search" page under
/najit-sluzbu/situace/ and the editors' phrasings under /redakce/situace/."""

from django.urls import path

from qmss.portal import views_situations as views

urlpatterns = [
    path("najit-sluzbu/situace/", views.situations, name="situations"),
    path("redakce/situace/", views.phrases, name="phrases"),
    path("redakce/situace/nova/", views.phrase_new, name="phrase_new"),
    path("redakce/situace/<int:phrase_pk>/", views.phrase_edit, name="phrase_edit"),
    path("redakce/situace/<int:phrase_pk>/vyradit/", views.phrase_retire, name="phrase_retire"),
]
