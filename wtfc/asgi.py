"""The ASGI app for uvicorn/gunicorn workers (`uvicorn wtfc.asgi:app`), settings from the env."""

from wtfc.app import create_app

app = create_app()
