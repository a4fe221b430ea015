"""The HTTP API: routes, schemas and authentication over the service layer."""
