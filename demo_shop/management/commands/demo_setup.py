"""Prepare the demo shop for `make demo`: seed it once, create the admin login and print it."""
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo_shop.models import Product


class Command(BaseCommand):
    help = "Seed the demo shop if it is empty, create the admin login and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username="admin", **options):
        if not Product.objects.exists():
            self.stdout.write("Seeding the demo shop (small)...")
            # Anchored on today so that recent orders are inside their return windows.
            call_command("seed_demo", "--anchor", timezone.localdate().isoformat(), stdout=self.stdout)
        # The shop's first models, trained once: the sentiment baseline (on the shop's rated reviews
        # plus the labelled corpus when it is beside the project) and the recommender.
        from ecom_ai.storage import artifacts

        for kind, artifact in (("sentiment-baseline", "sentiment"), ("recommender", "recommender")):
            if artifacts.active_version(artifact) is None:
                self.stdout.write(f"Training {kind}...")
                call_command("ecom_ai", "train", kind, stdout=self.stdout)
        # SIMULATED customers reacting to what they were shown, for the Impact page's figures and A/B test.
        from ecom_ai.impact.models import ImpactEvent

        if not ImpactEvent.objects.exists():
            from demo_shop.seeding.impact import simulate

            self.stdout.write("Simulating customers' reactions to recommendations (an A/B test)...")
            simulate(out=self.stdout)
        password_file = settings.VAR_DIR / "admin_password.txt"
        password_file.parent.mkdir(parents=True, exist_ok=True)
        if password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = secrets.token_urlsafe(9)
            password_file.write_text(password)
            password_file.chmod(0o600)
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=username, defaults={"email": "admin@example.com"})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(
            f"\nAdmin login: {username} / {password}\n  http://127.0.0.1:8000/admin/\n"
        ))
