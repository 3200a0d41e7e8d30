"""`qmss stats [--json]`: counts of the main tables."""

import json

from django.core.management.base import BaseCommand

from qmss.core.stats import collect_stats

LABELS = {
    "regions": "Kraje",
    "districts": "Okresy",
    "orps": "ORP",
    "municipalities": "Obce",
    "population_total": "Obyvatel celkem",
    "population_date": "Stav obyvatel k",
    "organisations": "Organizace",
    "users": "Uživatelé",
}


class Command(BaseCommand):
    help = "Vypíše počty hlavních tabulek (kraje, ORP, obce, obyvatelé, organizace, uživatelé)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Výstup ve formátu JSON.")

    def handle(self, *args, **options):
        stats = collect_stats()
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
            return
        for key, value in stats.items():
            label = LABELS.get(key, key)
            self.stdout.write(f"{label:<20} {value}")
