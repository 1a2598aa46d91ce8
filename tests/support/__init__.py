"""Helpers shared by the test suites (start an emulator process, drive its control API)."""
