from tests.palette.conftest import app, asgi_client, clock, emulator_server, live, state  # noqa: F401 - shared fixtures
