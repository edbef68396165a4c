"""`wtfc feedback send CODE --text en="..." --text cy="..."`: a "you said, we did" round.

The round is written and queued in one go; `wtfc serve` sends it from the outbox
at each channel's pace, each person in their own language. `--dry-run` shows
the SMS cost per language and how many people it would reach, and sends nothing.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import Any

from admin.services.feedback_costs import sms_costs
from collection import feedback
from collection.programmes import get_by_code
from collection.runtime import Services


def add_parser(commands: Any) -> None:
    """Add `feedback send` to the `wtfc` subcommands."""
    parser = commands.add_parser(
        "feedback", help='"you said, we did": tell people who asked to hear back what changed'
    )
    actions = parser.add_subparsers(dest="action", required=True)
    send = actions.add_parser("send", help="write a round and queue it (sent by `wtfc serve`)")
    send.add_argument("code", help="the programme's code, e.g. PARK")
    send.add_argument(
        "--text",
        action="append",
        required=True,
        metavar="LANG=TEXT",
        help="the message in one language (en, cy, ...); once per programme language",
    )
    send.add_argument(
        "--dry-run", action="store_true", help="show the cost and the audience, send nothing"
    )


def parse_texts(items: list[str]) -> dict[str, str]:
    """`["en=Hello", "cy=Helo"]` as `{"en": "Hello", "cy": "Helo"}`; ValueError if malformed."""
    texts: dict[str, str] = {}
    for item in items:
        language, sep, text = item.partition("=")
        if not sep or not language.strip():
            raise ValueError(f'--text needs LANG=TEXT, like en="We changed ...": got {item!r}')
        if language.strip() in texts:
            raise ValueError(f"--text {language.strip()} is given twice")
        texts[language.strip()] = text
    return texts


async def feedback_send(services: Services, args: argparse.Namespace) -> int:
    """Write the round and queue it; 2 with the reason when it cannot be."""
    try:
        texts = parse_texts(args.text)
    except ValueError as error:
        print(f"wtfc: {error}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    try:
        async with services.sessions() as session, session.begin():
            programme = await get_by_code(session=session, code=args.code)
            if programme is None:
                raise feedback.FeedbackError(
                    f"There is no programme with the code {args.code.upper()}."
                )
            cleaned = feedback.clean_texts(programme, texts)
            for language, cost in sms_costs(cleaned).items():
                print(
                    f"{language}: {cost.segments} SMS segment(s), {cost.characters} characters, "
                    f"{cost.encoding}"
                )
            if args.dry_run:
                candidates = await feedback.audience(session=session, programme=programme)
                counts = feedback.count_by_channel_language(candidates)
                _print_counts("Would reach", len(candidates), counts)
                return 0
            created = await feedback.create_round(
                session=session, programme=programme, texts=cleaned, actor=_actor(), now=now
            )
            summary = await feedback.send_round(
                session=session, programme=programme, round_=created, actor=_actor(), now=now
            )
    except feedback.FeedbackError as error:
        print(f"wtfc: {error}", file=sys.stderr)
        return 2
    print(f"Round {created.number} of {programme.code}:")
    _print_counts("Queued for", summary.queued, summary.by_channel_language)
    return 0


def _print_counts(label: str, total: int, counts: dict[tuple[str, str], int]) -> None:
    print(f"{label} {total} {'person' if total == 1 else 'people'}.")
    for (channel, language), people in counts.items():
        print(f"  {channel:<9} {language:<12} {people}")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
