"""The benchmark URLconf: every URL of the product plus the baseline views, one middleware stack."""

from django.urls import include, path

from itsm import urls as product_urls

from . import baselines

urlpatterns = [
    path("bench/baseline/api/teams/", baselines.team_list_json, name="bench-baseline-team-list"),
    path("", include(product_urls)),
]

handler400 = product_urls.handler400
handler403 = product_urls.handler403
handler404 = product_urls.handler404
handler500 = product_urls.handler500
