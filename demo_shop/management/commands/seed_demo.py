"""``manage.py seed_demo``: fill the demo shop with deterministic, realistic data."""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from demo_shop.seeding.generate import DEFAULT_ANCHOR, is_empty, reset_shop, seed_shop


class Command(BaseCommand):
    help = "Seed the demo shop: catalogue, customers with hidden tastes, orders, shipments, reviews, browsing events."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--reset", action="store_true", help="Delete the demo data first.")
        parser.add_argument("--anchor", default=DEFAULT_ANCHOR.date().isoformat(),
                            help="Date (YYYY-MM-DD, Asia/Shanghai) the data ends at; all dates lie in the 180 days before it.")
        # scale overrides, for tests and experiments
        parser.add_argument("--products", type=int, default=None, help="(undocumented) number of products")
        parser.add_argument("--customers", type=int, default=None, help="(undocumented) number of customers")

    def handle(self, *args, size, seed, reset, anchor, products, customers, **options):
        try:
            day = datetime.strptime(anchor, "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError(f"--anchor must be YYYY-MM-DD: {exc}") from exc
        anchor_dt = datetime(day.year, day.month, day.day, DEFAULT_ANCHOR.hour, tzinfo=ZoneInfo("Asia/Shanghai"))
        if reset:
            reset_shop()
        elif not is_empty():
            raise CommandError("The demo shop already has data. Run again with --reset to delete it and seed afresh.")
        verbose = options.get("verbosity", 1) >= 1
        if verbose:
            self.stdout.write(f"Seeding the {size} demo shop (seed {seed}, anchor {day.isoformat()})…")
        result = seed_shop(size, seed, products=products, customers=customers, anchor=anchor_dt,
                           stdout=self.stdout if verbose else None)
        if size == "small":
            # The demo's own labelled, handled inquiries: what the intent classifier learns from.
            from ecom_ai.inquiries.services import seed_inquiries

            result.counts["ecom_ai inquiries"] = seed_inquiries(seed)
        if verbose:
            self.stdout.write(f"Reviews from {result.reviews_source}")
            for name, n in result.counts.items():
                self.stdout.write(f"  {name:<22}{n:>10,}")
            self.stdout.write(self.style.SUCCESS(f"Done in {result.timings['total']:.1f}s."))
