"""Runs a command in a pseudo-terminal, as a user at a terminal would: answers y to
"Apply this plan?", then, as soon as the command asks "Keep this change?", kills its whole
process group with SIGKILL (the session that applied a change is gone, nothing more is said).
Prints what the terminal showed, then "killed" if the command died of that signal.

    python3 kill-when-asked-to-keep.py COMMAND [ARG...]
"""
import os
import pty
import select
import signal
import sys
import time

pid, fd = pty.fork()  # the child is a session leader: its process group is its pid
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

shown = b""


def wait_for(text, seconds):
    global shown
    deadline = time.monotonic() + seconds
    while text not in shown:
        left = deadline - time.monotonic()
        chunk = b""
        if left > 0 and select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the command exited and closed the terminal
                pass
        if not chunk:
            sys.stdout.write(shown.decode(errors="replace"))
            sys.exit(f"\nnever asked {text.decode()!r}")
        shown += chunk


wait_for(b"Apply this plan?", 180)
os.write(fd, b"y\n")
wait_for(b"Keep this change?", 300)
os.killpg(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors="replace"))
print("\nkilled" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL else f"\nexit status {status}")
