"""ASGI entry point: HTTP through Django, websockets through Channels (later issues)."""

import os

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lcnc.settings.base")

application = ProtocolTypeRouter({"http": get_asgi_application()})
