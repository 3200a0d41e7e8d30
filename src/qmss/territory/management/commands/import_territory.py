"""qmss import_territory [DIR] [--synthetic] – load the territory from open data (or a synthetic demo)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation


class Command(BaseCommand):
    help = (
        "Nahraje území ČR (kraje, okresy, ORP, obce a počty obyvatel) ze složky s otevřenými daty. "
        "Opakované spuštění mění jen to, co se ve zdrojových datech změnilo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "data_dir", nargs="?", type=Path,
            help="Složka s daty (struktura jako sdílená složka dat); výchozí je nastavení QMSS_DATA_DIR.",
        )  # fmt: skip
        parser.add_argument(
            "--force", action="store_true",
            help="Znovu načíst a zkontrolovat všechny soubory, i když se od posledního nahrání nezměnily.",
        )  # fmt: skip
        parser.add_argument(
            "--synthetic", action="store_true",
            help="Místo skutečných dat vytvořit syntetické ukázkové území (jasně označené).",
        )  # fmt: skip

    def handle(self, *args, **options):
        from qmss.territory.importer import TerritoryImportError, import_territory
        from qmss.territory.synthetic import build_synthetic_territory

        translation.activate("cs")
        if options["synthetic"]:
            run = build_synthetic_territory()
            self.stdout.write(self.style.WARNING("Vytvořeno SYNTETICKÉ ukázkové území."))
        else:
            data_dir = options["data_dir"] or settings.QMSS_DATA_DIR
            if data_dir is None:
                raise CommandError(
                    "Složka s daty není zadaná a nastavení QMSS_DATA_DIR je prázdné. "
                    "Zadejte složku, nebo použijte --synthetic."
                )
            self.stdout.write(f"Nahrávám území ze složky {data_dir} …")
            try:
                run = import_territory(Path(data_dir), force=options["force"])
            except TerritoryImportError as exc:
                raise CommandError(str(exc)) from exc
        counts = run.counts
        if counts.get("unchanged_files"):
            self.stdout.write(
                "Zdrojové soubory jsou stejné jako při posledním nahrání; nic se nemění (--force je načte znovu)."
            )
        rows = [
            ("Kraje", counts.get("regions", 0)),
            ("Okresy", counts.get("districts", 0)),
            ("ORP", counts.get("orps", 0)),
            ("Obce", counts.get("municipalities", 0)),
            ("Údaje o počtu obyvatel", counts.get("population_rows", 0)),
            ("Nově vytvořené záznamy", counts.get("created", 0)),
            ("Změněné záznamy", counts.get("updated", 0)),
            ("Záznamy, které už ve zdroji nejsou (ponechány)", counts.get("stale", 0)),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"{label.ljust(width)}  {value:>8}")
        self.stdout.write(self.style.SUCCESS("Hotovo."))
