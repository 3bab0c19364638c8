"""Services of the feedback feature: the logic lives here."""
