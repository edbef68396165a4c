"""Twilio plumbing for the SMS and WhatsApp channel: segment counting, the HTTP client, sending."""
