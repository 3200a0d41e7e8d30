"""Signal receivers of the registry app; connected by importing this module in ``RegistryConfig.ready()``."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from qmss.registry import cache, models
from qmss.registry.models import Provider, Service
from qmss.registry.models.registered import name_sort_key
from qmss.territory import models as territory_models
from qmss.territory.models import search_key

#: What the catalogue shows (rows, filter choices, region names): any write bumps the registry data version.
#: Bulk writes send no signals: the registry import bumps it with its RegistryImport's final save, the
#: territory import with its TerritoryImport record.
CATALOGUE_MODELS = (
    models.Provider, models.Service, models.ServiceForm, models.Capacity, models.Facility,
    models.ReferenceLibrary, models.DeliveryForm, models.CapacityType, models.BasicActivity, models.ServiceKind,
    models.TargetGroup, models.AgeGroup,
    territory_models.Region, territory_models.District, territory_models.Orp, territory_models.Municipality,
    territory_models.TerritoryImport,
)  # fmt: skip


@receiver(pre_save, sender=Provider, dispatch_uid="registry-provider-search-name")
def fill_provider_search_name(sender, instance: Provider, **kwargs) -> None:
    """Keep ``search_name`` (lower case, no diacritics, for the registration check) and ``name_sort`` (the Czech
    sort key) in step with the name.

    ``bulk_create`` / ``bulk_update`` skip signals, and ``save(update_fields=[...])`` writes ``search_name`` only
    when it is listed; the selectors fall back to the name for rows whose ``search_name`` is empty.
    """
    instance.search_name = search_key(instance.name or "")
    instance.name_sort = name_sort_key(instance.name)


@receiver(pre_save, sender=Service, dispatch_uid="registry-service-name-sort")
def fill_service_name_sort(sender, instance: Service, **kwargs) -> None:
    """Keep ``name_sort`` (the Czech sort key) in step with the name; the registry import writes it itself."""
    instance.name_sort = name_sort_key(instance.name)


def _catalogue_data_changed(sender, using=None, **kwargs) -> None:
    cache.schedule_bump(using or "default")


for _model in CATALOGUE_MODELS:
    post_save.connect(
        _catalogue_data_changed, sender=_model, dispatch_uid=f"registry-version-save-{_model._meta.label}"
    )
    post_delete.connect(
        _catalogue_data_changed, sender=_model, dispatch_uid=f"registry-version-delete-{_model._meta.label}"
    )
m2m_changed.connect(
    _catalogue_data_changed, sender=models.Service.target_groups.through, dispatch_uid="registry-version-m2m"
)


@receiver(post_save, sender=models.RegistryImport, dispatch_uid="registry-version-import-saved")
def registry_import_saved(sender, instance: models.RegistryImport, using=None, **kwargs) -> None:
    """An import that finished changed the registry with bulk writes (and the latest import date shown)."""
    if instance.status == models.RegistryImport.Status.DONE:
        cache.schedule_bump(using or "default")


@receiver(post_delete, sender=models.RegistryImport, dispatch_uid="registry-version-import-deleted")
def registry_import_deleted(sender, using=None, **kwargs) -> None:
    cache.schedule_bump(using or "default")
