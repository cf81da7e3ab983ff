"""Tests in tiers: unit/, integration/ and browser/ (see docs/architecture.md)."""
