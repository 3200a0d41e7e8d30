"""Load what a fresh installation needs: the territory (real data or a synthetic demo) and the demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from qmss.core.demo import demo_logins_text, load_demo


class Command(BaseCommand):
    help = (
        "Připraví novou instalaci: nahraje území (ze složky QMSS_DATA_DIR, jinak syntetické ukázkové) "
        "a ukázkové uživatele. Opakované spuštění nic nemění."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Nevytvářet ukázkové organizace a uživatele.")

    def handle(self, *args, **options):
        from qmss.territory.importer import import_territory
        from qmss.territory.models import Region
        from qmss.territory.synthetic import build_synthetic_territory

        translation.activate("cs")
        if Region.objects.exists():
            self.stdout.write("Území je již nahrané.")
        elif settings.QMSS_DATA_DIR and settings.QMSS_DATA_DIR.is_dir():
            self.stdout.write(f"Nahrávám území ze složky {settings.QMSS_DATA_DIR} …")
            run = import_territory(settings.QMSS_DATA_DIR)
            self.stdout.write(f"Území nahráno: {run.counts}")
        else:
            run = build_synthetic_territory()
            self.stdout.write(
                self.style.WARNING(
                    "Složka s otevřenými daty (QMSS_DATA_DIR) nebyla nalezena: vytvořeno SYNTETICKÉ ukázkové území."
                )
            )
        if not options["no_demo"]:
            created = load_demo()
            self.stdout.write(
                f"Ukázková data: nových organizací {created['organisations']}, nových uživatelů {created['users']}."
            )
            self.stdout.write(demo_logins_text())
