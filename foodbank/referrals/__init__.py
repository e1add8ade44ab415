"""Referrals: a consultant asks for support for a household, with its consent; the food bank decides."""
