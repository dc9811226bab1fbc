"""Stage reports, and the blocks the stages fill in the documents."""
