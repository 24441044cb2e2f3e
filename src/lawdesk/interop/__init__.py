"""Standard channels: ETSI TS 103 120 (HI-1) with the EU e-Evidence profile.

``interop`` sits at the top of the layers, beside ``api``: it calls the public use cases of
``cases`` and ``accounts`` and is never imported by them.
"""
