"""Property-based contract tests of medusa-mock against openapi/store.yaml (schemathesis 4)."""
