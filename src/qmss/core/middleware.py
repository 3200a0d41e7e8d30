from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Czech unless the user chose another language with the switch (a cookie).

    Unlike Django's default, the browser's Accept-Language is ignored: the service speaks Czech first.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecondFactorMiddleware:
    """A logged-in user who owes the second factor (see ``qmss.core.mfa``) reaches only the second-factor pages,
    logout, static files, the health check and the language switch: pages redirect to setting up the
    authenticator (no device yet) or to entering a code; the API answers 403 JSON. Covers /admin/ too.
    Must come after django-otp's OTPMiddleware."""

    ALWAYS_OPEN = ("/healthz", "/i18n/", "/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_prefixes: tuple[str, ...] | None = None

    def _open(self, path: str) -> bool:
        if self._open_prefixes is None:
            from django.urls import reverse

            self._open_prefixes = (
                settings.STATIC_URL,
                reverse("mfa_verify"),
                reverse("mfa_setup"),
                reverse("logout"),
                *self.ALWAYS_OPEN,
            )
        return path.startswith(self._open_prefixes)

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not self._open(request.path_info) and not user.is_verified():
            from qmss.core import mfa

            state = mfa.session_state(request)
            if state != mfa.STATE_NONE:
                return self._refuse(request, state)
        return self.get_response(request)

    def _refuse(self, request, state: str):
        from django.http import HttpResponse, JsonResponse
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        from qmss.core import mfa

        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Verify your second factor (authenticator code) in the web application first.")},
                status=403,
            )
        url = reverse("mfa_setup" if state == mfa.STATE_SETUP else "mfa_verify")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


class NoStoreForAuthenticatedMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user: pages with personal or
    tenant data must not stay in browser or proxy caches (static files are served before this runs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "private, no-store"
        return response
