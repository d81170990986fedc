"""`python manage.py fit_matching_weights [--dry-run] [--holdout 0.3] [--seed 0]`: the factor
weights fitted from the counsellors' decisions and the deals' outcomes (matchmaking.fitting),
written to the matching configuration only when they beat the weights in use on held-out
decisions."""

from django.core.management.base import BaseCommand, CommandError

from matchmaking import fitting
from matchmaking.models import FACTORS


def _weights(weights) -> str:
    return ", ".join(f"{name} {weight:.3f}" for name, weight in zip(FACTORS, weights, strict=True))


class Command(BaseCommand):
    help = (
        "Fit the matching factor weights to the counsellors' decisions (forwarded = good, rejected = "
        "bad, won deals count more) and write them to the matching configuration only when they beat "
        "the weights in use on held-out decisions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="fit and compare, never write")
        parser.add_argument(
            "--holdout", type=float, default=0.3, help="share of the decisions held out (default 0.3)"
        )
        parser.add_argument("--seed", type=int, default=0, help="the random split's seed (default 0)")

    def handle(self, *args, dry_run=False, holdout=0.3, seed=0, **options):
        try:
            report = fitting.fit_weights(holdout=holdout, seed=seed, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from error
        out = self.stdout.write
        out(f"Decisions: {report.decisions} ({report.forwarded} forwarded, {report.rejected} rejected)")
        out(f"Weights in use: {_weights(report.current)}")
        if report.fitted is not None:
            out(f"Fitted on {report.train}, checked on {report.held_out} held out: {_weights(report.fitted)}")
            for label, evaluation in (("in use", report.current_eval), ("fitted", report.fitted_eval)):
                out(f"  held out, {label}: log-loss {evaluation.log_loss:.4f}, AUC {evaluation.auc:.3f}")
        if report.written:
            out(
                self.style.SUCCESS(
                    "Written to the matching configuration; the next sweep re-scores with them."
                )
            )
        elif report.reasons:
            out(self.style.WARNING("Nothing changed: " + "; ".join(report.reasons) + "."))
        else:
            out("Dry run: the fitted weights beat those in use; nothing written.")
