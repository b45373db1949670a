"""The filter model shared by saved lists and searches (`model`), its evaluation (`evaluate`), its
DynamoDB pushdown (`expression`), and what the catalog stores for them (`facets`)."""
