"""Business rules: each service function takes a Caller and plain models, never an HTTP event."""
