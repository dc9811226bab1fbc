import signal

from .kit.cli import main

# Ctrl-C stops a stage cleanly even when this was started from a shell that ignores it (a background job).
signal.signal(signal.SIGINT, signal.default_int_handler)
raise SystemExit(main())
