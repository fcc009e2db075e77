"""Queries live here and only here: services call these functions with the db session first."""
