"""The domain: plain dataclasses and pure functions. No ipywidgets, no IO."""
