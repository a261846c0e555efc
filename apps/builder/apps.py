from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuilderConfig(AppConfig):
    name = "apps.builder"
    label = "builder"
    verbose_name = _("Builder")
