"""Households: pseudonymous codes used everywhere, identity kept apart and read only by those who may."""
