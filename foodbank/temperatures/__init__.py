"""Temperature records (温度記録): zone limits, readings per location, alerts, holds and the record PDF."""
