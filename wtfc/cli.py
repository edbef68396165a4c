"""The `wtfc` command: serve, chat, programmes, users, exports, invites, migrations."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from admin.api.schemas import ProgrammeCreate, SafeguardingContact
from admin.pages.programme_form import friendly_errors
from collection.crypto import AddressVault
from collection.db import database_exists
from collection.keys import rotate_addresses
from collection.programmes import (
    ProgrammeError,
    create_programme,
    get_by_code,
    list_with_counts,
)
from collection.runtime import Services
from collection.settings import Settings
from wtfc import exporting, feedback_command, invite_command, user_command, workshop_command
from wtfc.app import build_services


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wtfc", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run webhooks, admin, web chat and the outbox")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="add the DEMO programme and a login")
    serve.add_argument("--workers", type=int, default=1, help="app processes (PostgreSQL only)")

    chat = commands.add_parser("chat", help="take part in a programme from this terminal")
    chat.add_argument("code")

    programme = commands.add_parser("programme", help="create or list programmes")
    programme_commands = programme.add_subparsers(dest="action", required=True)
    create = programme_commands.add_parser("create")
    create.add_argument("--name", required=True)
    create.add_argument("--code", required=True)
    create.add_argument("--purpose", default="")
    create.add_argument(
        "--level", default="service", choices=["unit", "provider", "service", "population"]
    )
    create.add_argument("--target", type=int)
    create.add_argument("--languages", default="en", help="comma separated, first is default")
    create.add_argument("--status", default="collecting", choices=["draft", "collecting", "closed"])
    create.add_argument(
        "--safeguarding-email",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="told at once by e-mail of a disclosure of harm (repeat for several people)",
    )
    create.add_argument(
        "--safeguarding-help",
        default="",
        metavar="TEXT",
        help="the centre's own contact, sent after 999 and Samaritans to someone who discloses",
    )
    programme_commands.add_parser("list")

    export = commands.add_parser("export", help="write the workshop export")
    export.add_argument("code")
    export.add_argument("--format", required=True, choices=list(exporting.FORMATS))
    export.add_argument("--output", required=True)
    export.add_argument("--all", action="store_true", help="every statement, not only picks")
    export.add_argument(
        "--layout", default="2x4", choices=["2x4", "1x2"], help="cards per A4 page (columns x rows)"
    )

    keys = commands.add_parser("keys", help="rotate WTFC_SECRET_KEY (see SECURITY.md)")
    keys.add_subparsers(dest="action", required=True).add_parser(
        "rotate", help="re-encrypt addresses: old key in WTFC_OLD_SECRET_KEY"
    )

    user_command.add_parser(commands)
    invite_command.add_parser(commands)
    workshop_command.add_parser(commands)
    feedback_command.add_parser(commands)

    db = commands.add_parser("db", help="database migrations")
    db.add_subparsers(dest="action", required=True).add_parser("upgrade")
    return parser


async def _programme_create(services: Services, args: argparse.Namespace) -> int:
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    try:
        contacts = [
            SafeguardingContact(email=address.strip()).model_dump()
            for address in args.safeguarding_email
        ]
    except ValidationError:
        print(
            "wtfc: --safeguarding-email needs an e-mail address like name@example.org",
            file=sys.stderr,
        )
        return 2
    try:
        # The API's and the web form's rules, so the command cannot store what they refuse.
        ProgrammeCreate(
            name=args.name,
            code=args.code,
            purpose=args.purpose,
            level=args.level,
            target=args.target,
            languages=languages,
            status=args.status,
            safeguarding_help=args.safeguarding_help.strip(),
        )
    except ValidationError as invalid:
        for line in friendly_errors(invalid):
            print(f"wtfc: {line}", file=sys.stderr)
        return 2
    try:
        async with services.sessions() as session, session.begin():
            programme = await create_programme(
                session=session,
                name=args.name,
                code=args.code,
                purpose=args.purpose,
                level=args.level,
                target=args.target,
                languages=languages,
                status=args.status,
                safeguarding_contacts=contacts,
                safeguarding_help=args.safeguarding_help.strip(),
            )
    except ProgrammeError as error:
        print(f"wtfc: {error}", file=sys.stderr)
        return 2
    print(f"Created {programme.code}: {programme.name} ({programme.status})")
    if not contacts:
        print(
            "No safeguarding contact: disclosures of harm will wait in Needs attention. "
            "Add one with --safeguarding-email or on the programme's settings page."
        )
    return 0


async def _programme_list(services: Services) -> int:
    async with services.sessions() as session:
        rows = await list_with_counts(session=session)
    if not rows:
        print("No programmes yet. Create one with: wtfc programme create --name N --code C")
    for row in rows:
        target = f"/{row.target}" if row.target else ""
        print(
            f"{row.code:<10} {row.status:<10} started {row.started}{target}  "
            f"completed {row.completed}  statements {row.statements}  {row.name}"
        )
    return 0


async def _rotate_keys(services: Services) -> int:
    old_key = os.environ.get("WTFC_OLD_SECRET_KEY")
    if not old_key:
        print("wtfc: set WTFC_OLD_SECRET_KEY to the key being replaced", file=sys.stderr)
        return 2
    count = await rotate_addresses(services.sessions, AddressVault(old_key), services.vault)
    print(f"Re-keyed {count} contact addresses.")
    return 0


def _reads_only(args: argparse.Namespace) -> bool:
    """Commands that look at programmes without creating any: no database file for them."""
    return args.command in ("export", "chat") or (
        args.command == "programme" and args.action == "list"
    )


def _without_database(args: argparse.Namespace, url: str) -> int:
    """What a read-only command says when there is no database yet (and none is made)."""
    if args.command == "programme":
        print(f"No programmes yet (no database at {url}).")
        print("Create one with: wtfc programme create --name N --code C")
        return 0
    print(
        f"wtfc: no programme has the code {args.code} (there is no database at {url} yet; "
        "set WTFC_DATABASE_URL, or create a programme with: wtfc programme create)",
        file=sys.stderr,
    )
    return 2


async def _chat(services: Services, code: str) -> int:
    from channels.terminal import run_chat

    async with services.sessions() as session:
        programme = await get_by_code(session=session, code=code)
    if programme is None:
        print(f"wtfc: no programme has the code {code}", file=sys.stderr)
        return 2
    await run_chat(services.intake, code, sys.stdin, sys.stdout)
    return 0


async def _run(args: argparse.Namespace) -> int:
    settings = Settings()
    if _reads_only(args) and not database_exists(settings.database_url):
        return _without_database(args, settings.database_url)
    services = build_services(settings)
    try:
        await services.migrate()
        if args.command == "db":
            print("Database is up to date.")
            return 0
        if args.command == "keys":
            return await _rotate_keys(services)
        if args.command == "chat":
            return await _chat(services, args.code)
        if args.command == "programme" and args.action == "create":
            return await _programme_create(services, args)
        if args.command == "programme":
            return await _programme_list(services)
        if args.command == "user":
            return await user_command.user_create(services, args)
        if args.command == "invite":
            return await invite_command.invite(services, args)
        if args.command == "workshop":
            return await workshop_command.workshop(services, args)
        if args.command == "feedback":
            return await feedback_command.feedback_send(services, args)
        if args.command == "export":
            return await exporting.export_command(
                services, args.code, args.format, args.output, args.all
            )
    finally:
        await services.close()
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from wtfc.serve import serve

        return serve(args)
    return asyncio.run(_run(args))


if __name__ == "__main__":
    raise SystemExit(main())
