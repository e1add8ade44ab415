"""Warehouse stock: receiving, the ledger, holds and recalls, disposal, reservations and picking."""
