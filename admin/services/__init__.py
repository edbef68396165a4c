"""What the admin does, with no HTTP in it: pages and the API both call these."""
