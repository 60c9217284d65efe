"""MkDocs adapters: thin plugins that route MkDocs events to Deflect's core."""
