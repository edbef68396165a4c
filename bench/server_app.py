"""The app `bench/inbound.py` serves: the whole product plus the baseline route.

Run by uvicorn as `bench.server_app:app` (so it works with several workers); the
settings come from the environment like `wtfc serve`.
"""

from __future__ import annotations

from bench.baseline import baseline_router
from collection.settings import Settings
from wtfc.app import create_app

settings = Settings()
app = create_app(settings)
app.include_router(baseline_router(settings.twilio_auth_token or "", settings.public_url or ""))
