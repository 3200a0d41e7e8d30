"""Settings for the test suite: the real settings plus fast hashing and in-memory e-mail."""

from qmss.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
LANGUAGE_CODE = "cs"
STATIC_ROOT = VAR_DIR / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Login protection and the second factor are switched on by the tests that check them (override_settings).
AXES_ENABLED = False
QMSS_REQUIRE_2FA = False
# Throttle counters (password reset) in memory, never in the shared file cache of var/.
CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "qmss-throttle"}  # noqa: F405
QMSS_THROTTLE_CACHE = "throttle"
# Cached page fragments and per-page values (registry catalogue, synthetic-territory flag) in memory, emptied
# before every test (tests/conftest.py): the test database starts afresh each time, the cache must too.
CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "qmss-pages"}  # noqa: F405
QMSS_PAGE_CACHE = "pages"
QMSS_FRAGMENT_CACHE = "pages"
