"""Progress of long fits: one-line messages on stdout (scikit-learn's ``verbose``) and a
live epoch line with an estimate of the time left on stderr."""

import sys
import time


def log(estimator, level, message, *, name=None):
    """Print ``[name] message`` (the estimator's class name by default) when
    ``estimator.verbose >= level``."""
    if estimator.verbose >= level:
        print(f"[{name or type(estimator).__name__}] {message}", flush=True)


def _duration(seconds):
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s"


class EpochProgress:
    """``[name] stage: epoch i/cap, loss ..., 12.3 s, at most 40 s left``, on stderr.

    On a terminal the line is redrawn in place (at most five times a second) and erased by
    ``close``; in a log file (not a terminal) a line is written every ``every`` seconds,
    so that a long stage is never silent. "At most": the stage may stop itself sooner,
    the estimate is for the remaining epochs up to the cap at the mean time per epoch.
    """

    def __init__(self, name, stage, cap, *, enabled=True, every=10.0, stream=None):
        self.prefix = f"[{name}] {stage}"
        self.cap, self.enabled, self.every = cap, enabled, every
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = self.shown = time.perf_counter()
        self.width = 0

    def update(self, epoch, loss):
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.shown < (0.2 if self.tty else self.every):
            return
        self.shown = now
        spent = now - self.start
        left = spent / epoch * (self.cap - epoch)
        line = (
            f"{self.prefix}: epoch {epoch}/{self.cap}, loss {loss:.6g}, {_duration(spent)}, "
            f"at most {_duration(left)} left"
        )
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        """Erase the live line (terminal); the time the stage took."""
        if self.enabled and self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
        return time.perf_counter() - self.start
