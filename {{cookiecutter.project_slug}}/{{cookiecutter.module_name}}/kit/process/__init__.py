"""The workshop's process: roles, owners, checklists, gates, readiness, the review pack, the value formula."""
