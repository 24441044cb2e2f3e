"""The JSON API for officers: intake and status, per-officer tokens, problem details."""
