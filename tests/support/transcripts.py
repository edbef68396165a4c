"""Transcript tests kept as data: one file per scenario in tests/transcripts/.

Each file is a conversation: `> text` is what the person sends (`\\n` for a line
break), `>button:N value` a button tap drawn on turn N, `>media text` a picture
with a caption; `< key key` are the reply message ids expected, in order (`<` alone:
no reply at all); `! Effect Effect` the effects (engine runs only); `= what ...`
checks what is stored; `@ name = value` sets up the programme; `@@ close` closes it.
`@ programmes = FRIENDS, 13` adds other collecting programmes (made as if before
the rules on codes, so `13` can exist); `>link CODE` opens a deep link or kiosk
page for CODE. A transcript starts in the lobby: its first message is usually the
code. The same file runs through the pure engine (with bot/lobby.py routing
between the programmes) and through the real store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "transcripts"


@dataclass
class Line:
    kind: str  # send, replies, effects, check, close
    value: str
    number: int
    turn: int | None = None
    input_kind: str = "text"


@dataclass
class Transcript:
    name: str
    setup: dict[str, str] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)


def load(path: Path) -> Transcript:
    transcript = Transcript(name=path.stem)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@@"):
            transcript.lines.append(Line("close", line[2:].strip(), number))
        elif line.startswith("@"):
            name, _, value = line[1:].partition("=")
            transcript.setup[name.strip()] = value.strip()
        elif line.startswith(">button:"):
            head, _, value = line.partition(" ")
            turn = int(head.split(":")[1])
            transcript.lines.append(Line("send", _unescape(value), number, turn, "button"))
        elif line.startswith(">link "):
            transcript.lines.append(Line("send", line[6:].strip(), number, None, "link"))
        elif line.startswith(">media"):
            transcript.lines.append(Line("send", _unescape(line[7:]), number, None, "media"))
        elif line.startswith(">"):
            transcript.lines.append(Line("send", _unescape(line[2:]), number))
        elif line.startswith("<"):
            transcript.lines.append(Line("replies", line[1:].strip(), number))
        elif line.startswith("!"):
            transcript.lines.append(Line("effects", line[1:].strip(), number))
        elif line.startswith("="):
            transcript.lines.append(Line("check", line[1:].strip(), number))
        else:
            raise ValueError(f"{path.name}:{number}: cannot read {line!r}")
    return transcript


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


def all_transcripts() -> list[Path]:
    return sorted(HERE.glob("*.txt"))
