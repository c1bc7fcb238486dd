from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Quote


@login_required
@require_GET
def quote_list(request):
    quotes = Quote.objects.visible_to(request.user).select_related("owner")[:50]
    return render(request, "quotes/list.html", {"quotes": quotes})
