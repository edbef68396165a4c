"""`wtfc serve`: migrations, then uvicorn with the whole app in one process."""

from __future__ import annotations

import argparse
import asyncio
import errno
import socket
import sys

import uvicorn

from collection.db import is_sqlite
from collection.settings import Settings
from wtfc.app import build_services, create_app
from wtfc.demo import DEMO_CODE, DEMO_LOGIN, ensure_demo_login, ensure_demo_programme


async def _prepare(settings: Settings, demo: bool) -> str | None:
    """Migrate; with --demo add the demo programme and return the demo login's password."""
    services = build_services(settings)
    try:
        await services.migrate()
        if demo:
            await ensure_demo_programme(services)
            return await ensure_demo_login(services)
    finally:
        await services.close()
    return None


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (taken, or not ours to use), or None if it can.

    Checked before anything is printed: otherwise the start-up lines (the address, the
    demo login) appear and uvicorn then dies on the busy port, which reads as if it ran.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return f"cannot listen on {host}: {error.strerror or error}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn does, so a port left in TIME_WAIT by the last run still counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (another wtfc, or another program)"
            return f"cannot listen on {host}:{port}: {error.strerror or error}"
    return None


def serve(args: argparse.Namespace) -> int:
    problem = port_problem(args.host, args.port)
    if problem is not None:
        print(
            f"wtfc: {problem}.\n"
            f"Pick another port: scripts/demo --port {args.port + 1} "
            f"(or wtfc serve --port {args.port + 1}).",
            file=sys.stderr,
        )
        return 2
    settings = Settings()
    if settings.public_url and settings.uses_development_key:
        print(
            "wtfc: WTFC_PUBLIC_URL is set but WTFC_SECRET_KEY is the development key. "
            "Set a long random WTFC_SECRET_KEY before serving real people.",
            file=sys.stderr,
        )
        return 2
    settings.warn_if_insecure()
    if args.workers > 1 and is_sqlite(settings.database_url):
        print("wtfc: several workers need PostgreSQL (WTFC_DATABASE_URL)", file=sys.stderr)
        return 2
    if args.workers > 1 and settings.telegram_bot_token and not settings.public_url:
        print(
            "wtfc: Telegram polling runs in one process only; with several workers set "
            "WTFC_PUBLIC_URL so Telegram uses the webhook",
            file=sys.stderr,
        )
        return 2
    demo_password = asyncio.run(_prepare(settings, args.demo))
    base = f"http://{args.host}:{args.port}"
    print(f"wtfc-collect is running at {base}")
    if args.demo:
        print(f"  Web chat for the demo programme: {base}/chat?code={DEMO_CODE}")
        print(f"  Terminal chat: wtfc chat {DEMO_CODE}")
        print(f"  Admin: {base}/admin  login {DEMO_LOGIN}  password {demo_password}")
    if settings.telegram_bot_token:
        how = "webhook (WTFC_PUBLIC_URL)" if settings.public_url else "polling getUpdates"
        print(f"  Telegram: {how}")
    if args.workers > 1:
        uvicorn.run(
            "wtfc.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=False,  # the app applies WTFC_TRUSTED_PROXIES itself
            log_level="info",
        )
    else:
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            proxy_headers=False,  # the app applies WTFC_TRUSTED_PROXIES itself
            log_level="info",
        )
    return 0
