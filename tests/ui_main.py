"""The app as the NiceGUI ``user`` fixture builds it for every UI test (the database comes from a fixture)."""

from portal.app import create_app
from portal.config import get_settings

get_settings.cache_clear()
create_app(get_settings())
