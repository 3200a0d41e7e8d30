"""Load what a fresh installation needs: territory (real data or a synthetic demo), reference libraries,
quality frameworks, the registry of services (sample or synthetic) and the demo logins. Idempotent."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from qmss.setup.demo import demo_logins_text, link_demo_providers, load_demo
from qmss.setup.demo_mfa import demo_second_factor_text, seed_demo_second_factor

REGISTRY_SAMPLE = Path("rpss-katalog-seniori") / "rpss_odvozeno.json"
SYNTHETIC_SERVICES = 400


class Command(BaseCommand):
    help = (
        "Připraví novou instalaci: území (ze složky QMSS_DATA_DIR, jinak syntetické), referenční knihovny, "
        "rámce kvality, registr služeb a ukázkové uživatele. Opakované spuštění nic nemění."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Nevytvářet ukázkové organizace a uživatele.")
        parser.add_argument("--no-registry", action="store_true", help="Nenahrávat registr sociálních služeb.")

    def handle(self, *args, **options):
        translation.activate("cs")
        data_dir = settings.QMSS_DATA_DIR if settings.QMSS_DATA_DIR and settings.QMSS_DATA_DIR.is_dir() else None
        self._territory(data_dir)
        self._reference()
        self._needs_libraries()
        if not options["no_registry"]:
            self._registry(data_dir)
        if not options["no_demo"]:
            created = load_demo()
            linked = link_demo_providers()
            self.stdout.write(
                f"Ukázková data: nových organizací {created['organisations']}, nových uživatelů {created['users']}"
                + (f", propojeno s registrem: {', '.join(linked)}." if linked else ".")
            )
            self._needs_demo()
            self._network_demo()
            self._financing_demo()
        self._portal_content()
        if not options["no_demo"]:
            self.stdout.write(demo_logins_text())
            second_factor = demo_second_factor_text(seed_demo_second_factor())
            if second_factor:
                self.stdout.write(self.style.WARNING(second_factor))

    def _territory(self, data_dir):
        from qmss.territory.importer import import_territory
        from qmss.territory.models import Region
        from qmss.territory.synthetic import build_synthetic_territory

        if Region.objects.exists():
            self.stdout.write("Území je již nahrané.")
        elif data_dir:
            self.stdout.write(f"Nahrávám území ze složky {data_dir} …")
            run = import_territory(data_dir)
            self.stdout.write(f"Území nahráno: {run.counts.get('municipalities')} obcí.")
        else:
            build_synthetic_territory()
            self.stdout.write(
                self.style.WARNING(
                    "Složka s otevřenými daty (QMSS_DATA_DIR) nebyla nalezena: vytvořeno SYNTETICKÉ ukázkové území."
                )
            )

    def _reference(self):
        from qmss.frameworks.library import load_libraries
        from qmss.registry.reference import load_reference

        load_reference()
        results = load_libraries()
        self.stdout.write(
            "Referenční knihovny a rámce kvality: "
            + ", ".join(f"{getattr(r, 'urn', r)} ({getattr(r, 'status', '')})" for r in results)
        )

    def _needs_libraries(self):
        from qmss.needs.library import load_all

        results = load_all()
        self.stdout.write(
            "Knihovny potřeb a sběru dat: "
            + ", ".join(f"{getattr(r, 'urn', r)} ({getattr(r, 'status', '')})" for r in results)
        )

    def _needs_demo(self):
        from qmss.needs.demo_load import load_needs_demo

        created = load_needs_demo()
        labels = {
            "kind_cards": "zveřejněné karty druhů",
            "service_cards": "potvrzené karty služeb",
            "rounds": "sběry dat",
            "submissions": "hlášení",
            "minimum_forms": "minimální podoby",
        }
        self.stdout.write(
            "Ukázková data potřeb a sběru dat (SYNTETICKÉ hodnoty), nově: "
            + ", ".join(f"{labels.get(key, key)} {value}" for key, value in created.items())
        )

    def _network_demo(self):
        from qmss.network import demo

        created = demo.load_network_demo()
        labels = {
            "networks": "sítě",
            "brief_items": "položky zadání",
            "applications": "žádosti",
            "statements": "vyjádření obcí",
        }
        self.stdout.write(
            "Ukázková síť kraje ze služeb registru (zadání a žádosti SYNTETICKÉ), nově: "
            + ", ".join(f"{labels.get(key, key)} {value}" for key, value in created.items())
        )

    def _portal_content(self):
        from qmss.portal.starter_content import load_starter_content

        changed = load_starter_content()
        self.stdout.write(f"Obsah osvětové kampaně (články, letáky, plakáty, spoty): nově nebo změněno {changed}.")

    def _financing_demo(self):
        from qmss.financing import demo

        created = demo.load_financing_demo()
        self.stdout.write(
            "Ukázkové financování kraje (referenční hodnoty, žádosti, výpočet a vyúčtování SYNTETICKÉ), nově: "
            + ", ".join(f"{key} {value}" for key, value in created.items())
        )

    def _registry(self, data_dir):
        from qmss.registry.importer import run_import
        from qmss.registry.models import Service

        if Service.objects.exists():
            self.stdout.write("Registr sociálních služeb je již nahraný.")
            return
        sample = data_dir / REGISTRY_SAMPLE if data_dir else None
        if sample and sample.is_file():
            self.stdout.write(f"Nahrávám registr služeb ze souboru {sample} …")
            run = run_import(str(sample), partial=True)
        else:
            from qmss.registry.synthetic import write_synthetic_registry

            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "syntheticky-registr.json"
                write_synthetic_registry(path, services=SYNTHETIC_SERVICES, seed=1)
                run = run_import(str(path), partial=True)
            self.stdout.write(self.style.WARNING("Vytvořen SYNTETICKÝ ukázkový registr služeb."))
        self.stdout.write(f"Registr nahrán: {run.counts}")
