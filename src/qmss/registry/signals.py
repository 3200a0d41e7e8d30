"""Signal receivers of the registry app; connected by importing this module in ``RegistryConfig.ready()``."""

from __future__ import annotations

from django.db.models.signals import pre_save
from django.dispatch import receiver

from qmss.registry.models import Provider
from qmss.territory.models import search_key


@receiver(pre_save, sender=Provider, dispatch_uid="registry-provider-search-name")
def fill_provider_search_name(sender, instance: Provider, **kwargs) -> None:
    """Keep ``search_name`` (lower case, no diacritics) in step with the name, for the registration check.

    ``bulk_create`` / ``bulk_update`` skip signals, and ``save(update_fields=[...])`` writes ``search_name`` only
    when it is listed; the selectors fall back to the name for rows whose ``search_name`` is empty.
    """
    instance.search_name = search_key(instance.name or "")
