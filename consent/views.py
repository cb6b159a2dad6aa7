"""Visitor-facing privacy pages: consent settings that work without JavaScript, and the privacy center."""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .addresses import client_address
from .categories import categories
from .forms import ConsentChoiceForm
from .models import ConsentRecord, ErasureLog
from .registry import Subject, default_site_key, user_key_for
from .selectors import policy_current, request_consent
from .services.choices import consent_choice_record
from .services.rights import personal_data_erase, personal_data_export
from .state import consent_cookie_token, token_site_key


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
            client_address=client_address(request.META),
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


def request_site_key(request: HttpRequest) -> str:
    """The site the privacy center speaks for: the default one, else the one the browser's consent token names."""
    return default_site_key() or token_site_key(consent_cookie_token(request))


def request_subject(request: HttpRequest) -> Subject | None:
    """Whose data the request may see: the visitor its signed consent cookie names, and the logged-in user."""
    site_key = request_site_key(request)
    if not site_key:
        return None  # several sites, none the default, and no token of this browser's says which: see site_unknown
    state = request_consent(request, site_key=site_key)
    visitor_ids = (state.visitor_id,) if state.visitor_id else ()
    user_key = ""
    if request.user.is_authenticated:
        user_key = user_key_for_request(site_key, request.user)
    if not visitor_ids and not user_key:
        return None
    return Subject(site_key=site_key, visitor_ids=visitor_ids, user_key=user_key)


def user_key_for_request(site_key: str, user) -> str:
    return user_key_for(site_key, str(user.pk))


def privacy_center(request: HttpRequest) -> HttpResponse:
    """What the visitor has chosen, and the buttons to download or erase what is held about them."""
    state = request_consent(request, site_key=request_site_key(request))
    subject = request_subject(request)
    return render(request, "consent/center.html", {
        "subject": subject, "granted": state.granted, "explicit": state.explicit, "categories": categories(),
        "erased": request.GET.get("erased") == "1", "site_unknown": subject is None and site_unknown(request),
    })


def site_unknown(request: HttpRequest) -> bool:
    """Whether this browser may hold data here that the privacy center cannot find: no site is the default (there
    are several; `manage.py check` warns) and none of its choices names one."""
    return not request_site_key(request) and bool(consent_cookie_token(request) or request.user.is_authenticated)


def privacy_export(request: HttpRequest) -> HttpResponse:
    """Everything held about the visitor (or logged-in user), as a JSON download."""
    subject = request_subject(request)
    if subject is None:
        return render(request, "consent/center.html", {"subject": None, "categories": categories(), "granted": [],
                                                       "explicit": False, "site_unknown": site_unknown(request)},
                      status=404)
    data = personal_data_export(subject=subject)
    response = HttpResponse(json.dumps(data, indent=2, default=str), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
def privacy_erase(request: HttpRequest) -> HttpResponse:
    """Erase everything held about the visitor; the consent cookie goes too, so nothing new starts."""
    subject = request_subject(request)
    if subject is not None and request.POST.get("confirm") == "yes":
        personal_data_erase(subject=subject, channel=ErasureLog.Channel.PRIVACY_CENTER)
        response = redirect(f"{request.path.rsplit('erase', 1)[0]}?erased=1")
        response.delete_cookie(settings.ATTUNE["CONSENT_COOKIE_NAME"], samesite="Lax")
        return response
    return redirect("consent:center")
