"""`coprod serve`: Voilà over workbooks/, with join links, a home page and the members' API."""
