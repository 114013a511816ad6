"""Learning mode: teaching vignettes checked against the engine, comparison and the quick quiz."""
