"""Browser tests: the real app driven in Debian's Chromium by Playwright."""
