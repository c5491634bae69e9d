"""`flask payments …`: the commands finance and operators run."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Tips' payments, payouts and the ledger check.")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Check: paid tips − refunds = paid out + pending; exit 1 on any discrepancy."""
    from payments.payouts import reconcile
    problems = reconcile()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("ledger reconciles: paid tips − refunds = paid out + pending")


@payments_cli.command("payout")
@click.argument("month")
@click.option("--method", type=click.Choice(["export", "transfer"]), default=None)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), default=None)
def payout_command(month: str, method: str | None, csv_path: str | None) -> None:
    """Make MONTH's (YYYY-MM) payout batch; with --csv, write the bank export there."""
    from flask import current_app

    from payments.payouts import create_batch, export_csv
    batch = create_batch(month, method or current_app.config["PAYOUT_METHOD"])
    if csv_path:
        with open(csv_path, "w", encoding="utf-8", newline="") as out:
            out.write(export_csv(batch))
    click.echo(f"batch {batch.id} for {month} ({batch.method})")


@payments_cli.command("catch-up")
@click.option("--hours", default=72, help="How far back to read the provider's events.")
def catch_up_command(hours: int) -> None:
    """Apply the provider's recent events that no webhook brought (each once)."""
    from payments.tips import PaymentsNotConfigured, catch_up
    try:
        click.echo(catch_up(int(time.time()) - hours * 3600))
    except PaymentsNotConfigured as error:  # the operator's fix, named: which key is missing
        raise click.ClickException(str(error.__cause__)) from error



