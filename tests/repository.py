"""Where the repository is, for tests in any folder under tests/."""

from pathlib import Path

#: The repository's root (the folder holding src/, docs/ and tests/).
ROOT = Path(__file__).resolve().parent.parent
