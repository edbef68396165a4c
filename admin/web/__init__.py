"""The HTTP plumbing pages and the API share: rendering, sessions, CSRF, access, errors."""
