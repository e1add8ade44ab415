"""The catalogue: categories, items (with barcodes and allergens), donors, warehouses and locations."""
