"""Evaluation sets for inquiry replies written apart from the code that answers them."""
