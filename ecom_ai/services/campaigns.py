"""Services of the campaigns feature: the logic lives here."""
