"""The finder's registrations: network changes bump the finder's network data version (see ``portal.finder``).

Networks decide which services serve which municipalities and ORPs, so the finder's in-memory index must be
rebuilt when a network, its version or an entry changes. The receivers only bump a version token in the page
cache (now and again after the writing transaction commits, as the registry does); a search reads the token
instead of querying the networks. Entries written with ``bulk_create`` belong to a new version, whose own save
bumps the token.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from qmss.portal import registration


@registration.part
def register() -> None:
    from qmss.network.models import Network, NetworkEntry, NetworkVersion
    from qmss.portal import finder

    for model in (Network, NetworkVersion, NetworkEntry):
        label = model._meta.label
        post_save.connect(finder.networks_changed, sender=model, dispatch_uid=f"portal-finder-save-{label}")
        post_delete.connect(finder.networks_changed, sender=model, dispatch_uid=f"portal-finder-delete-{label}")
