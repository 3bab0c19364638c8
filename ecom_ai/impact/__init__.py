"""Impact: did the AI help the shop sell more and answer better?

Events a shop's frontend posts (impressions, clicks, add-to-carts, orders of recommended products and
campaign copy), orders attributed from the shop's own orders, per-feature figures per day, and A/B
tests between recommender versions or copy variants. This package reads the other features' rows
through the app registry (``apps.get_model("ecom_ai", ...)``), never their modules.
"""
