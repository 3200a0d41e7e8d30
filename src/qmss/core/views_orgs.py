from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def organisation_list(request):
    return render(request, "core/organisation_list.html", {})


@login_required
def organisation_detail(request, organisation_pk):
    return render(request, "core/organisation_detail.html", {})
