"""The audit log: written by services, read by admins."""
