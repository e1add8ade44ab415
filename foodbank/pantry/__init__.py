"""Pantry days: venues, parcel templates, events, registrations, allocation, the day and its closing."""
