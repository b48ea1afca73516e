"""Verify the audit trail's hash chain (all of it or a range); optionally record today's checkpoint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itsm.audit import record_checkpoint, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain. Exits 0 when it is intact and 1 naming the first broken "
        "entry. --checkpoint also stores today's chain head (once per day)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=int, metavar="N", help="first entry (seq) to check")
        parser.add_argument("--to", dest="end", type=int, metavar="N", help="last entry (seq) to check")
        parser.add_argument(
            "--checkpoint", action="store_true", help="record today's checkpoint of the chain head"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = options["start"], options["end"]
        if start is not None and start < 1:
            raise CommandError("--from must be 1 or more.")
        if start is not None and end is not None and end < start:
            raise CommandError("--to must not be before --from.")
        result = verify_chain(start, end)
        if not result.ok:
            self.stderr.write(
                f"Audit trail BROKEN at entry {result.first_broken_seq}: {result.problem} "
                f"({result.checked} entries intact before it)."
            )
            raise SystemExit(1)
        if result.head_seq is None:
            self.stdout.write("Audit trail intact: no entries in the range.")
        else:
            self.stdout.write(
                f"Audit trail intact: {result.checked} entries checked, head #{result.head_seq} {result.head_hash}."
            )
        if options["checkpoint"]:
            checkpoint, created = record_checkpoint()
            verb = "recorded" if created else "already recorded"
            self.stdout.write(
                f"Checkpoint {verb} for {checkpoint.date:%Y-%m-%d}: #{checkpoint.seq} {checkpoint.hash}."
            )
