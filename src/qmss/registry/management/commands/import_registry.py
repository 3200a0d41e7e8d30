"""qmss import_registry [FILE|URL] [--dry-run] [--partial] [--force] [--codelists DIR|URL] – import the MPSV registry.

Exits non-zero with a Czech message (and writes nothing) when the file is refused: structural errors, limits of
the pre-scan, no valid record, or – without --partial or --force – too few valid records to end services.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Import the MPSV registry of social services (rpss.json) from a file or a URL."

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = _("Import the MPSV registry of social services (rpss.json) from a file or a URL.")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "source", nargs="?",
            help=_("Path or http(s) URL of the registry file; defaults to the setting QMSS_REGISTRY_URL."),
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help=_("Report what would change; write nothing."))
        parser.add_argument(
            "--partial", action="store_true",
            help=_("The file is not the whole national registry: do not report services missing from it."),
        )  # fmt: skip
        parser.add_argument(
            "--force", action="store_true",
            help=_(
                "The file is the whole registry even though it holds far fewer valid records than the registry has "
                "services: end the services missing from it."
            ),
        )  # fmt: skip
        parser.add_argument(
            "--codelists", metavar="DIR|URL",
            help=_("Directory or base URL of the official MPSV code lists, to fill in codes the libraries lack."),
        )  # fmt: skip

    def _progress(self):
        if not self.stdout.isatty():
            return None

        def show(processed: int, total: int, records: int) -> None:
            percent = int(100 * processed / total) if total else 0
            self.stderr.write(
                "\r" + _("%(percent)3d %% read, %(records)s records") % {"percent": percent, "records": records},
                ending="",
            )
            self.stderr.flush()

        return show

    def handle(self, *args, **options):
        from qmss.registry.importer import RegistryImportError, run_import
        from qmss.registry.importer.report import report_lines

        translation.activate(settings.LANGUAGE_CODE)
        source = options["source"] or settings.QMSS_REGISTRY_URL
        progress = self._progress()
        self.stdout.write(_("Importing the registry from %(source)s …") % {"source": source})
        try:
            run = run_import(
                source, dry_run=options["dry_run"], partial=options["partial"], force=options["force"],
                codelists=options["codelists"], progress=progress,
            )  # fmt: skip
        except RegistryImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if progress is not None:
                self.stderr.write("")
        for line in report_lines(run):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Done.")))
