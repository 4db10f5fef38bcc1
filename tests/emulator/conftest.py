from tests.palette.conftest import app, asgi_client, live, state  # noqa: F401 - shared fixtures
