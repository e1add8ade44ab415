"""Errors of the stocktake area; each carries its status and the data a client needs to act on it."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, Forbidden, NotFound


class StocktakeNotFound(NotFound):
    slug = "stocktake-not-found"
    title = "No such stocktake"


class StocktakeClosed(Conflict):
    slug = "stocktake-closed"
    title = "The stocktake is already approved or abandoned"


class StocktakeOverlap(Conflict):
    slug = "stocktake-overlap"
    title = "Another open stocktake counts some of these locations"


class StocktakeNeedsApproval(Forbidden):
    slug = "stocktake-needs-approval"
    title = "Differences this large need a coordinator's approval"
