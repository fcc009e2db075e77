"""Who may sign in: organisations, locations, users, login sessions, API tokens and password
hashing.
"""
