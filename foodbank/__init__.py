"""foodbank: logistics for food banks, pantry days and appliance banks.

Kept free of imports: `python3 -m foodbank` runs the standard-library bootstrap before any
dependency is installed.
"""
