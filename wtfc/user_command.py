"""`wtfc user create EMAIL --role admin|lead|staff`: the first admin login, and more.

The password comes from a prompt (typed twice, never echoed) or, for scripts,
from standard input with `--password-stdin`; never from the command line, where
it would land in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from admin.services.passwords import PasswordPolicyError
from admin.services.users import ROLES, UserError, create_user
from collection.runtime import Services


def add_parser(commands: Any) -> None:
    user = commands.add_parser("user", help="admin logins")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an admin login")
    create.add_argument("email")
    create.add_argument("--role", required=True, choices=list(ROLES))
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str | None:
    if from_stdin:
        return (stdin or sys.stdin).readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("Same password again: ") != first:
        print("wtfc: the two passwords are not the same", file=sys.stderr)
        return None
    return first


async def user_create(services: Services, args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    if password is None:
        return 2
    try:
        async with services.sessions() as session, session.begin():
            user = await create_user(
                session=session, email=args.email, password=password, role=args.role
            )
    except (UserError, PasswordPolicyError) as error:
        print(f"wtfc: {error}", file=sys.stderr)
        return 2
    print(f"Created the {user.role} login {user.email}. Sign in at /admin.")
    return 0
