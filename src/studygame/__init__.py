"""StudyGame: a self-hosted study game for one learner."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("studygame")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
