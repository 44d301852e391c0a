"""Questions across languages: a LibreTranslate-compatible client and the per-question cache.

Nothing here waits for the server on behalf of a person: translations are fetched in the
background after a question is stored, and cards read the cache only.
"""
