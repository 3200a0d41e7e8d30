"""qmss make_synthetic_registry [--services N] [--out FILE] [--seed S] – a synthetic national registry file."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Write a synthetic registry file in the raw rpss.json shape (for benchmarks and development)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = _("Write a synthetic registry file in the raw rpss.json shape (for benchmarks and development).")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        from qmss.registry.synthetic import DEFAULT_SERVICES

        parser.add_argument("--services", type=int, default=DEFAULT_SERVICES, help=_("Number of services."))
        parser.add_argument("--out", type=Path, help=_("Output file (default: VAR_DIR/rpss-synthetic.json)."))
        parser.add_argument("--seed", type=int, default=0, help=_("Random seed (the same seed gives the same file)."))

    def handle(self, *args, **options):
        from qmss.registry.synthetic import write_synthetic_registry

        translation.activate(settings.LANGUAGE_CODE)
        if options["services"] < 0:
            raise CommandError(_("The number of services cannot be negative."))
        out = options["out"] or Path(settings.VAR_DIR) / "rpss-synthetic.json"
        stats = write_synthetic_registry(out, services=options["services"], seed=options["seed"])
        self.stdout.write(
            _(
                "Written %(path)s: %(services)s services, %(facilities)s facilities, %(megabytes).1f MB "
                "(SYNTHETIC data; distributions from %(source)s)."
            )
            % {
                "path": stats["path"], "services": stats["services"], "facilities": stats["facilities"],
                "megabytes": stats["bytes"] / 2**20, "source": stats["source"],
            }
        )  # fmt: skip
