"""The JSON API under /api/v1: routes and the request and answer shapes."""
