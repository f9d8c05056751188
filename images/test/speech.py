#!/usr/bin/env python3
"""Says whether QEMU's recording of the twin's sound card (a WAV file) holds speech.

Usage: speech.py SOUND.wav

espeak-ng's voice through speech-dispatcher and ALSA to the emulated HDA card: speech is
loud (peaks well above a tenth of full scale) and lasts (the language screen's sentence
is over a second). Silence from a card nobody played to is all zeros. It passes with at
least 0.3 s of samples louder than 1/100 of full scale. Last line:
"SPEECH ok|fail seconds=... voiced=...s peak=..." (peak as a fraction of full scale).
The guest lets up to four seconds of sound play before the visit is ended (its "speech" check):
ended sooner, the utterance is cut before anything reaches the card.
"""
import struct
import sys
import wave


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    try:
        w = wave.open(sys.argv[1], "rb")
    except (OSError, EOFError, wave.Error) as e:
        print(f"SPEECH fail no recording: {e}")
        sys.exit(1)
    rate, channels, width, frames = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
    data = w.readframes(frames)
    if width != 2:
        print(f"SPEECH fail {width * 8}-bit samples, expected 16")
        sys.exit(1)
    samples = struct.unpack(f"<{len(data) // 2}h", data)
    loud = 32768 // 100
    voiced = sum(1 for v in samples if abs(v) > loud) / channels / rate if rate else 0
    peak = max((abs(v) for v in samples), default=0) / 32768
    seconds = frames / rate if rate else 0
    good = voiced >= 0.3
    print(f"SPEECH {'ok' if good else 'fail'} seconds={seconds:.1f} voiced={voiced:.2f}s peak={peak:.2f} rate={rate} channels={channels}")
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
