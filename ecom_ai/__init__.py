"""ecom_ai: AI replies, recommendations, campaign copy and feedback summaries for Django shops."""
__version__ = "0.1.0"
