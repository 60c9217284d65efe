"""Site planning: the pages of a help center built from the content model (no MkDocs here)."""
