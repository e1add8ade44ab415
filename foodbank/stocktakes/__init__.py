"""Stocktakes (棚卸): open a count, count blind, review the differences, approve them into the ledger."""
