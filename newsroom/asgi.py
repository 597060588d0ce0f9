"""ASGI entry point: serves everything, and the live update stream that must be async."""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Each request's sync code runs in a thread of its own here: no persistent connections
# (they would never be reused, and never closed). NEWSROOM_DB_CONN_MAX_AGE in settings.
os.environ.setdefault("NEWSROOM_DB_CONN_MAX_AGE", "0")
# Static files (WhiteNoise, demo only: nginx serves them in production) are sync
# iterators; Django warns on each one under ASGI, which is expected here.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
application = get_asgi_application()
