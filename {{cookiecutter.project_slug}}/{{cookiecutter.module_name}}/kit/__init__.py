"""The template's machinery, updated with the template; the stage folders beside it are the team's code."""

# The project's own package, which `python -m` runs and whose folders hold the stages.
PACKAGE = __package__.partition(".")[0]
