"""Evidence packages: BagIt bags of produced records, signed, certified, zipped and age-encrypted.

Import nothing here: ``lawdesk verify`` runs on an officer's machine without Django, so the
verifier's import path must stay free of the builder's (and Django's) dependencies.
"""
