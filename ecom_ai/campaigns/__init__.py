"""Campaigns (coupons, flash sales, group buys): rule suggestions within the shop's limits and checked copy."""
