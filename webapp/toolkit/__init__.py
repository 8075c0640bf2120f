"""The crisis toolkit: what a new workspace starts with (national emergency numbers, default
playbooks), written through the sync service. It sits above workspaces and sync."""
