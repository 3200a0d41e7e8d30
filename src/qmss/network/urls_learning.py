"""The learning network under /sit/uceni/: proposals and drift, the data-quality panel, the history."""

from django.urls import path

from qmss.network import views_learning

urlpatterns = [
    path("<int:network_pk>/", views_learning.learning_view, name="learning"),
    path("<int:network_pk>/odhad/", views_learning.learning_estimate_view, name="learning_estimate"),
    path("<int:network_pk>/kvalita-dat/", views_learning.data_quality_view, name="data_quality"),
    path("<int:network_pk>/historie/", views_learning.history_view, name="history"),
]
