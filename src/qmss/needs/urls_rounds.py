"""Data-collection rounds and submissions under /potreby/sber/."""

from django.urls import path

from qmss.needs import views_rounds, views_rounds_submission

urlpatterns = [
    path("", views_rounds.round_list_view, name="rounds"),
    path("novy/", views_rounds.round_create_view, name="round_create"),
    path("moje-vykazy/", views_rounds_submission.my_submissions_view, name="my_submissions"),
    path("<int:round_pk>/", views_rounds.round_detail_view, name="round_detail"),
    path("<int:round_pk>/upravit/", views_rounds.round_edit_view, name="round_edit"),
    path("<int:round_pk>/otevrit/", views_rounds.round_open_view, name="round_open"),
    path("<int:round_pk>/uzavrit/", views_rounds.round_close_view, name="round_close"),
    path("<int:round_pk>/stav/", views_rounds.round_completeness_view, name="round_completeness"),
    path("vykaz/<int:submission_pk>/", views_rounds_submission.submission_detail_view, name="submission_detail"),
    path("vykaz/<int:submission_pk>/ulozit/", views_rounds_submission.submission_save_view, name="submission_save"),
    path(
        "vykaz/<int:submission_pk>/odeslat/", views_rounds_submission.submission_submit_view, name="submission_submit"
    ),
    path("vykaz/<int:submission_pk>/odpoved/", views_rounds_submission.submission_reply_view, name="submission_reply"),
    path(
        "vykaz/<int:submission_pk>/schvalit/",
        views_rounds_submission.submission_approve_view,
        name="submission_approve",
    ),
    path("vykaz/<int:submission_pk>/vratit/", views_rounds_submission.submission_return_view, name="submission_return"),
]
