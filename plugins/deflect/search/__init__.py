"""Search: language analysis, the Whoosh index, the static index for the browser and the search service."""
