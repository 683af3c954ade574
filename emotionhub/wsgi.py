"""WSGI entry point (gunicorn emotionhub.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotionhub.settings")
application = get_wsgi_application()
