"""Services of the inquiries feature: the logic lives here."""
