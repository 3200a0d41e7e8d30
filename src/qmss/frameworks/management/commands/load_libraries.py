"""qmss load_libraries [FILES…] – load quality frameworks (standards, voluntary models) from YAML libraries."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

STATUS_TEXT = {
    "created": "nově nahráno",
    "unchanged": "beze změny",
    "updated": "aktualizováno na místě (verzi zatím nepoužívá žádné hodnocení)",
    "new_version": "nahrána nová verze; starší verze zůstávají beze změny",
}


class Command(BaseCommand):
    help = (
        "Nahraje rámce kvality (standardy kvality, dobrovolné modely) z knihoven YAML; bez zadaných souborů "
        "ze složky libraries/frameworks. Nejdřív se ověří všechny soubory; při chybě se nenahraje nic. "
        "Verze, kterou už používá nějaké hodnocení, se nikdy nemění: opravený text vydejte s vyšším číslem verze."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="Soubory knihoven (.yaml); výchozí je celá složka.")

    def handle(self, *args, **options):
        from qmss.frameworks.library import FrameworkLibraryError, default_directory, load_libraries

        translation.activate("cs")
        files = options["files"] or None
        self.stdout.write(
            f"Nahrávám rámce kvality ze {'zadaných souborů' if files else f'složky {default_directory()}'} …"
        )
        try:
            results = load_libraries(files=files)
        except FrameworkLibraryError as exc:
            raise CommandError(f"Nic nebylo nahráno. {exc}") from exc
        if not results:
            self.stdout.write(self.style.WARNING("Nebyla nalezena žádná knihovna rámce kvality."))
            return
        for result in results:
            self.stdout.write(
                f"{result.short_name} verze {result.version} ({result.urn}): "
                f"{STATUS_TEXT.get(result.status, result.status)} – {result.file}"
            )
        self.stdout.write(self.style.SUCCESS("Hotovo."))
