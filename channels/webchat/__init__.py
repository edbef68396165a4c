"""The web chat at /chat: a kiosk page a drop-in centre can leave open on a tablet."""
