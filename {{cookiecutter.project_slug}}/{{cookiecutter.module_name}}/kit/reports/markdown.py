"""Write code-made blocks into Markdown files that people also edit.

A block sits between `<!-- begin:NAME -->` and `<!-- end:NAME -->`. Only the lines between the
markers are replaced, so everything the team wrote around them stays as it is.
"""

from __future__ import annotations

import re

from ..core.messages import messages_here


class MissingBlockError(ValueError):
    """A file lacks the markers of a block that code must write."""


def replace_block(text: str, name: str, body: str) -> str:
    """Return `text` with the block `name` holding `body`."""
    pattern = re.compile(
        rf"(<!-- begin:{re.escape(name)} -->\n).*?(<!-- end:{re.escape(name)} -->)", re.DOTALL
    )
    if not pattern.search(text):
        say = messages_here(__file__)
        raise MissingBlockError(say("markers.missing", name=name))
    content = body.rstrip("\n") + "\n" if body.strip() else ""
    return pattern.sub(lambda match: match[1] + content + match[2], text, count=1)
