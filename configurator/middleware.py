"""Language: Swedish unless the user chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many Swedish
sellers run English browsers; the product speaks Swedish first, so only the switch's
cookie (set by ``set_language``) changes the language.
"""

from django.conf import settings
from django.utils import translation


class SwedishFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the thread's language afterwards: nothing leaks into the
        # next request handled by this thread (or the next test).
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
