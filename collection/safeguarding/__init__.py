"""Safeguarding: recognising disclosures of harm, the cases they open, and the alerts."""
