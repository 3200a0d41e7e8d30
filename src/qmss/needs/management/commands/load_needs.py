"""qmss load_needs [FILES…] – load the needs libraries (taxonomy of needs, collection template, model kind cards)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

STATUS_TEXT = {
    "created": "nově nahráno",
    "unchanged": "beze změny",
    "updated": "aktualizováno na místě (verzi zatím nepoužívá žádný sběr ani karta)",
    "new": "nahrána nová verze",
    "changed": "aktualizováno na místě",
    "new_version": "nahrána nová verze; starší verze zůstávají beze změny",
}
KIND_TEXT = {
    "taxonomy": "Taxonomie potřeb",
    "template": "Šablona sběru dat",
    "kind_cards": "Vzorové karty druhů služeb",
}
WAITING = "; čeká na zveřejnění správcem systému"


class Command(BaseCommand):
    help = (
        "Nahraje knihovny potřeb (taxonomii potřeb a šablonu sběru dat; bez zadaných souborů i vzorové karty "
        "druhů služeb) ze složky libraries/needs. Nejdřív se ověří všechny soubory; při chybě se nenahraje nic. "
        "Verze, kterou už používá sběr dat nebo karta, se nikdy nemění: opravený text vydejte s vyšším číslem "
        "verze. První verze se zveřejní hned, další čeká na zveřejnění správcem systému."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", type=Path, help="Soubory knihoven (.yaml); výchozí jsou knihovny ze složky."
        )

    def handle(self, *args, **options):
        from qmss.core.errors import QmssImportError
        from qmss.needs.library import default_directory, load_all, load_files

        translation.activate("cs")
        files = options["files"] or None
        where = "zadaných souborů" if files else f"složky {default_directory()}"
        self.stdout.write(f"Nahrávám knihovny potřeb ze {where} …")
        try:
            results = load_files(files) if files else load_all()
        except QmssImportError as exc:
            raise CommandError(f"Nic nebylo nahráno. {exc}") from exc
        for result in results:
            kind = getattr(result, "kind", None)
            status = str(getattr(result, "status", ""))
            name = KIND_TEXT.get(kind, getattr(result, "title", "") or "Vzorové karty druhů služeb")
            where = f" – {result.file}" if getattr(result, "file", "") else ""
            waiting = WAITING if getattr(result, "published", True) is False else ""
            text = STATUS_TEXT.get(status, status)
            self.stdout.write(f"{name} verze {result.version} ({result.urn}): {text}{waiting}{where}")
        self.stdout.write(self.style.SUCCESS("Hotovo."))
