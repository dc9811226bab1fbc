"""Running the model: predictions, the service, releases, monitoring, benchmarks and the demo."""
