#!/usr/bin/env python3
"""Writes the hand-made call seeds of the `endpoint` target
(`corpus/endpoint/call-*`), in the op encoding of `src/endpoint/mod.rs`
and `src/endpoint/calls.rs`. Run from `fuzz/`: `python3 seeds/calls.py`."""

import os
import struct


def time(ms):
    return bytes([7, 0]) + struct.pack("<H", min(ms, 65535))


def secs(s):
    out = b""
    while s > 0:
        step = min(s, 60)
        out += time(step * 1000)
        s -= step
    return out


# Answer the newest REGISTER of site 0 / 1 with 200 and Contact;expires=600.
REG0 = bytes([9, 0, 2, 9, 0])
REG1 = bytes([4, 0]) + bytes([9, 1, 2, 9, 0])


def call(sub, *args):
    return bytes([14, sub, *args])


def dial(conn=0, dest=0):
    return call(0, conn | dest << 1)


def ans(code, sel=0, a=0):
    # CALL_ANSWERS: 1 180, 3 200+SDP, 5 200 junk, 6 200, 7 401, 8 407,
    # 9 486, 10 491, 11 408, 12 481, 13 487
    return call(8, sel, code, a)


ANSWER, REJECT, HOLD, RETRIEVE, HANGUP = 1, 2, 3, 4, 5


def site_invite(p=0, q=0):
    return call(6, p, q)


def in_dialog(m, d=0):
    # m%8: 0 ACK, 1 BYE, 2 sendonly, 3 sendrecv, 4 inactive, 5 no SDP,
    # 6 NOTIFY (talk, hold, junk by (m>>3)%3), 7 CANCEL
    return call(7, d, m)


ACK, BYE, SENDONLY, SENDRECV, INACTIVE, NOSDP, NOTIFY_TALK, CANCEL = range(8)
NOTIFY_HOLD, NOTIFY_JUNK = 6 | 8, 6 | 16

SEEDS = {
    "call-outbound-hold-retrieve-bye": REG0 + dial() + ans(1) + ans(3)
    + call(HOLD, 0) + ans(3) + call(RETRIEVE, 0) + ans(3) + call(HANGUP, 0)
    + ans(6) + secs(40),
    "call-outbound-challenge-fork-retransmit": REG0 + dial(0, 1)
    + ans(8, 0, 0x41) + ans(1) + ans(3) + ans(3, 8) + call(8, 0x10, 0, 0)
    + secs(5) + in_dialog(BYE) + secs(40),
    "call-outbound-cancel-487": REG0 + dial(0, 2) + ans(1) + call(HANGUP, 0)
    + ans(6) + ans(13, 1) + secs(40),
    "call-outbound-glare-491": REG0 + dial() + ans(3) + call(HOLD, 0)
    + ans(10) + secs(3) + ans(3) + in_dialog(SENDONLY) + secs(40),
    "call-outbound-busy-timeout-fallback": REG0 + REG1 + dial(1) + ans(9)
    + dial(0) + secs(40) + dial(0, 3) + ans(11) + secs(40),
    "call-inbound-answer-reinvite-bye": site_invite() + call(ANSWER, 0)
    + in_dialog(ACK) + in_dialog(SENDONLY) + in_dialog(ACK)
    + in_dialog(INACTIVE) + in_dialog(ACK) + in_dialog(SENDRECV)
    + in_dialog(ACK) + in_dialog(BYE) + secs(40),
    "call-inbound-cancel": site_invite() + secs(1) + in_dialog(CANCEL)
    + secs(40),
    "call-inbound-autoanswer-notify": site_invite(0x08, 1) + secs(2)
    + in_dialog(ACK) + in_dialog(NOTIFY_HOLD) + ans(3) + in_dialog(NOTIFY_TALK)
    + ans(3) + in_dialog(NOTIFY_JUNK) + site_invite(0x10)
    + in_dialog(NOTIFY_TALK) + secs(10) + call(HANGUP, 0) + secs(40),
    "call-inbound-tcp-answer-ack-bye": REG1 + site_invite(1) + call(ANSWER, 0)
    + in_dialog(ACK) + in_dialog(NOSDP) + in_dialog(ACK) + in_dialog(BYE)
    + secs(40),
    "call-inbound-bad-offers-reject": site_invite(2) + site_invite(4)
    + site_invite(6) + site_invite(0x80) + site_invite(0x60)
    + call(REJECT, 0, 0) + call(REJECT, 8, 6) + site_invite(0, 0x80)
    + secs(40),
    "call-unknown-sessions-and-junk": dial(0, 4) + dial(0, 5) + dial(1, 6)
    + dial(0, 7) + call(ANSWER, 7) + call(HOLD, 0) + call(HANGUP, 0)
    + call(HANGUP, 0) + call(REJECT, 0, 7) + call(RETRIEVE, 15) + secs(10),
    "call-disable-during-call": REG0 + dial() + ans(3) + site_invite()
    + call(ANSWER, 0) + ans(3) + bytes([8, 0]) + secs(10) + ans(3, 1)
    + secs(40),
    "call-remove-while-ringing": REG0 + site_invite() + dial() + ans(1)
    + bytes([8, 4]) + secs(10) + bytes([8, 6]) + ans(3) + secs(40),
}

os.makedirs("corpus/endpoint", exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join("corpus/endpoint", name), "wb") as f:
        f.write(data)
