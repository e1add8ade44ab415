"""Picking: which lots to take for a household or a pantry day, in FEFO order."""
