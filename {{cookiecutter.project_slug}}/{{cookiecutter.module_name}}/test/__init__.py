"""The Test stage: its goal, checklist and owner are in README.md beside this file."""
