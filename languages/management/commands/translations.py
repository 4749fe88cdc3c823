"""`manage.py translations --update` (make messages) / `--check`: see languages/catalogues.py."""

from django.core.management.base import BaseCommand, CommandError

from languages import catalogues


class Command(BaseCommand):
    help = "Extract and compile the Django and SPA catalogues, or list what is untranslated."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--update", action="store_true",
                            help="extract new strings on both sides and compile the .po files")
        parser.add_argument("--check", action="store_true",
                            help="fail listing every string missing a translation")

    def handle(self, *args, update: bool, check: bool, **options) -> None:
        if update:
            catalogues.django_update()
            catalogues.spa_update()
        if check or not update:
            missing = [*catalogues.django_missing(), *catalogues.spa_missing()]
            stale = catalogues.mo_stale()
            for item in missing:
                self.stdout.write(f"missing: {item}")
            for path in stale:
                self.stdout.write(f"not compiled: {path} (run make messages)")
            if missing or stale:
                raise CommandError(f"{len(missing)} strings untranslated, "
                                   f"{len(stale)} catalogues not compiled")
            self.stdout.write("Every string is translated.")
