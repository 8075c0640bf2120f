"""Import and export of a workspace's directory (issue 19): CSV, vCard and JSON."""
