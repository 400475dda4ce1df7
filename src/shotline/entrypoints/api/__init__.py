"""The HTTP API: FastAPI routers by area over the services, built by `app.create_app`."""
