"""Services of the recommendations feature: the logic lives here."""
