"""All the app's logic, one module per concern. Services take a Session and never commit."""
