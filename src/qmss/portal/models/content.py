"""Portal models: content (owned by the content part; see the module's classes)."""
__all__: list[str] = []
