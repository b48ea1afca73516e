"""Building blocks of the REST API: authentication, permissions, pagination, errors."""
