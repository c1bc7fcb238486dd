"""Settings for `make mutate` (pytest --ds=tests.mutate_settings): the project's settings
with a fast password hasher. Each mutant runs the API tests in a fresh test database, and
every test's seller is a new user: with the default PBKDF2 hasher, hashing the sellers'
passwords took most of a mutant's time. Nothing in the pricing engine's tests depends on
the hasher.
"""

from configurator.settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
