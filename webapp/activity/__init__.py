"""The audit log's pages: a workspace's events for its owners, an account's events for its user.

Above `auth` and `workspaces` (it checks the password and the owner role), so that `audit` stays
a sink that every feature writes to and that imports none of them.
"""
