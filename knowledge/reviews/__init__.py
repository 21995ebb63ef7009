"""Buyers' product reviews: demo reviews, import, sentiment and the merchant's insights."""
