#!/usr/bin/env python3
"""Small QMP client for boot-test.sh: a tap on the twin's screen.

Usage: qmp.py SOCKET tap [X Y]
  X, Y in QEMU's absolute range 0-32767 (default the middle of the screen): the absolute
  pointer (-device virtio-tablet-pci; QEMU sends absolute events to it) moves there,
  presses and releases the left button, as a finger on a touch panel. Prints each command and QEMU's answer; exits 1 on
  an error. Every read is bounded (30 s).
"""
import json
import socket
import sys


def main():
    if len(sys.argv) < 3 or sys.argv[2] != "tap":
        raise SystemExit(__doc__)
    x, y = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) == 5 else (16384, 16384)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sys.argv[1])
    f = s.makefile("rw")

    def reply():
        while True:
            msg = json.loads(f.readline())
            if "return" in msg or "error" in msg:
                return msg

    json.loads(f.readline())  # QEMU's greeting
    events = [
        [{"type": "abs", "data": {"axis": "x", "value": x}}, {"type": "abs", "data": {"axis": "y", "value": y}}],
        [{"type": "btn", "data": {"down": True, "button": "left"}}],
        [{"type": "btn", "data": {"down": False, "button": "left"}}],
    ]
    commands = [{"execute": "qmp_capabilities"}] + [
        {"execute": "input-send-event", "arguments": {"events": e}} for e in events
    ]
    for cmd in commands:
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        r = reply()
        print(cmd["execute"], json.dumps(cmd.get("arguments", {})), "->", json.dumps(r))
        if "error" in r:
            sys.exit(1)


if __name__ == "__main__":
    main()
