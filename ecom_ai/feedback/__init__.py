"""Customer feedback: sentiment, what customers judge, summaries and improvement actions."""
