"""Settings, data files, the stage pipeline and its records, model files and metrics."""
