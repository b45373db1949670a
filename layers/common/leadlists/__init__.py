"""leadlists: the shared layer (models, filters, repositories, services, HTTP adapter)."""
