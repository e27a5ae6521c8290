"""One module per command group; each only parses, calls the library and formats."""
