from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Membership
        from .permissions import memberships_changed

        post_save.connect(memberships_changed, sender=Membership, dispatch_uid="lcnc-held")
        post_delete.connect(memberships_changed, sender=Membership, dispatch_uid="lcnc-held")
