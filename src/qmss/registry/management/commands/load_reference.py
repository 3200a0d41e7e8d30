"""qmss load_reference [DIR] – load the registry's reference data (code lists) from the YAML libraries."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

ROWS = [
    ("delivery_forms", "Formy poskytování"),
    ("capacity_types", "Typy kapacity"),
    ("basic_activities", "Základní činnosti"),
    ("service_kinds", "Druhy sociálních služeb"),
    ("target_groups", "Cílové skupiny"),
    ("age_groups", "Věkové skupiny"),
]


class Command(BaseCommand):
    help = (
        "Nahraje referenční data registru (druhy služeb, formy poskytování, typy kapacity, základní činnosti, "
        "cílové a věkové skupiny) z verzovaných knihoven YAML. Nejdřív zkontroluje všechny soubory; při chybě "
        "nezapíše nic. Nezměněné knihovny přeskočí; položky, které nová verze knihovny vypustila, dostanou datum "
        "konce platnosti (nemažou se)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", type=Path,
            help="Složka s knihovnami YAML; výchozí je libraries/registry v kořeni projektu.",
        )  # fmt: skip

    def handle(self, *args, **options):
        from qmss.registry.reference import ReferenceLibraryError, default_directory, load_reference

        translation.activate("cs")
        directory = options["directory"] or default_directory()
        self.stdout.write(f"Nahrávám referenční knihovny ze složky {directory} …")
        try:
            counts = load_reference(directory)
        except ReferenceLibraryError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(label) for _, label in ROWS)
        self.stdout.write(f"{'':{width}}  {'nové':>6}  {'změněné':>8}  {'ukončené':>9}")
        for key, label in ROWS:
            created, updated, retired = (counts[f"{key}_{action}"] for action in ("created", "updated", "retired"))
            self.stdout.write(f"{label.ljust(width)}  {created:>6}  {updated:>8}  {retired:>9}")
        self.stdout.write(
            f"Knihovny nahrané: {counts['libraries_loaded']}, beze změny přeskočené: {counts['libraries_skipped']}"
        )
        self.stdout.write(self.style.SUCCESS("Hotovo."))
