from django.core.management.base import BaseCommand
from django.utils import translation

from qmss.setup.demo import demo_logins_text, load_demo


class Command(BaseCommand):
    help = "Vytvoří ukázkové organizace a uživatele (jeden pro každou roli). Opakované spuštění nic nemění."

    def handle(self, *args, **options):
        translation.activate("cs")
        created = load_demo()
        self.stdout.write(
            f"Ukázková data: nových organizací {created['organisations']}, nových uživatelů {created['users']}."
        )
        self.stdout.write(demo_logins_text())
