"""The admin's HTML pages: each module is the routes of one page family."""
