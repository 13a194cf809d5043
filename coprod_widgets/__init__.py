"""coprod_widgets: workbooks for co-production in public services."""

__version__ = "0.1.0"
