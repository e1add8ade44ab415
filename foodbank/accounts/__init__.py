"""Accounts: users, roles, agencies, sign-in sessions and personal API tokens."""
