"""Number formats that reproduce French PDFs of earlier releases, which grouped counts with a
comma (2,072): the verifier must still read them (FORMAT_MODULE_PATH, in test_monitor)."""
