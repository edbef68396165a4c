"""The web admin at /admin, the JSON API at /api/v1, and the workshop exports."""
