"""E-mail out: safeguarding alerts to the programme's contacts, through the outbox."""
