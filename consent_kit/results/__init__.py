"""Results: summaries, charts, exports and the data dictionary, and the studio pages that show them."""
