"""Settings for the test suite: the production settings with test-only secrets and hosts."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from config.settings import *  # noqa: E402, F403
