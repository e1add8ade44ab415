"""Errors of the catalogue area."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, NotFound


class ItemNotFound(NotFound):
    slug = "item-not-found"
    title = "No such item"


class CategoryNotFound(NotFound):
    slug = "category-not-found"
    title = "No such category"


class DonorNotFound(NotFound):
    slug = "donor-not-found"
    title = "No such donor"


class LocationNotFound(NotFound):
    slug = "location-not-found"
    title = "No such location"


class DuplicateBarcode(Conflict):
    slug = "duplicate-barcode"
    title = "Another item has this barcode"


class DuplicateCode(Conflict):
    slug = "duplicate-code"
    title = "The code or name is already in use"
