"""Errors of the temperature records; each carries its status and the data a client needs."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, NotFound


class ReadingNotFound(NotFound):
    slug = "temperature-reading-not-found"
    title = "No such temperature reading"


class LocationNotFound(NotFound):
    slug = "location-not-found"
    title = "No such location"


class ReadingNotOutOfRange(Conflict):
    slug = "temperature-reading-in-range"
    title = "The reading is within its limit"


class ReadingAlreadyReviewed(Conflict):
    slug = "temperature-reading-reviewed"
    title = "The reading already has a review"
