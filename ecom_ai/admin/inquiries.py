"""Admin of the inquiries feature."""
