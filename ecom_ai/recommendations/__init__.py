"""Personalised recommendations: interaction data, the recommender algorithms, rules, reasons and evaluation."""
