from tests.support.app import app_server  # noqa: F401
