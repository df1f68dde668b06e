"""Units, stations, users, roles, login, API tokens and scope()."""
