"""Visitor-facing privacy pages: consent settings that work without JavaScript, and the privacy center."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .categories import categories
from .forms import ConsentChoiceForm
from .models import ConsentRecord
from .registry import default_site_key
from .selectors import policy_current, policy_material_version
from .services import consent_choice_record
from .state import consent_state_from_token


def request_consent(request: HttpRequest):
    token = request.COOKIES.get(settings.ATTUNE["CONSENT_COOKIE_NAME"])
    return consent_state_from_token(token, current_material_version=policy_material_version())


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def privacy_settings(request: HttpRequest) -> HttpResponse:
    """The consent choice as a plain form: what the banner does, for browsers without JavaScript."""
    state = request_consent(request)
    form = ConsentChoiceForm(request.POST or None, initial={"category": sorted(state.granted),
                                                            "next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        choice = consent_choice_record(
            site_key=default_site_key(), visitor_id=state.visitor_id, granted=form.granted(),
            source=ConsentRecord.Source.SETTINGS_PAGE, language=request.LANGUAGE_CODE,
            client_address=client_address(request),
        )
        target = form.cleaned_data.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = request.path + "?saved=1"
        response = redirect(target)
        response.set_cookie(settings.ATTUNE["CONSENT_COOKIE_NAME"], choice.token, max_age=choice.max_age,
                            samesite="Lax", secure=request.is_secure(), httponly=False)
        return response
    return render(request, "consent/settings.html", {
        "form": form, "categories": categories(), "granted": state.granted, "explicit": state.explicit,
        "policy": policy_current(), "saved": request.GET.get("saved") == "1",
    })
