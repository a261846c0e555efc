from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "apps.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from apps.builder import preview

        from .preview import render_preview

        # The builder's preview is drawn by the portal's own templates.
        preview.set_renderer(render_preview)
