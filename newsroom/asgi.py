"""ASGI entry point: serves everything, and the live update stream that must be async."""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Static files (WhiteNoise, demo only: nginx serves them in production) are sync
# iterators; Django warns on each one under ASGI, which is expected here.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
application = get_asgi_application()
