"""Indexes for the catalogue: its default order and the count of services registered on a day."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_registryimport_force"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="service",
            index=models.Index(fields=["name", "portal_id"], name="registry_service_name_idx"),
        ),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(fields=["date_to", "date_from"], name="registry_service_dates_idx"),
        ),
    ]
