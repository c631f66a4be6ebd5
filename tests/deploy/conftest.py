import shutil

import pytest

from tests.deploy.topology import PG_BIN

NEEDED = ("nginx", "redis-server", "envsubst", "openssl", "pg_dump", "pg_restore")


def pytest_collection_modifyitems(config, items):
    missing = [tool for tool in NEEDED if not shutil.which(tool)] + ([] if PG_BIN else ["initdb (postgresql)"])
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"needs {', '.join(missing)} (portal/scripts/install.sh installs them)")
    for item in items:
        if item.get_closest_marker("topology"):
            item.add_marker(skip)
