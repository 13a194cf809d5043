"""pandas and matplotlib: tables and charts of results. Loaded only where results are drawn."""
