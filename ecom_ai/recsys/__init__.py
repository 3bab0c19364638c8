"""Recommender internals: interaction data, models (implicit ALS, co-purchase, TF-IDF content, popularity), business rules, offline evaluation, Celery tasks."""
