"""DynamoDB access. Every key format of both tables is built in exactly one module here."""
