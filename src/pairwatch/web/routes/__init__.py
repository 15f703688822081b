"""The app's routers: server-rendered pages and the JSON API."""
