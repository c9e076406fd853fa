"""The sandbox's HTTP surface, shaped like LinkedIn's (docs/sandbox.md lists every route)."""
