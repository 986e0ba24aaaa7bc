"""Fenced code blocks of the Markdown pages, for the tests that read or run them."""

import re
import textwrap


def fenced(page, language):
    """The page's fenced ``language`` blocks, dedented (a block may sit inside a list item)."""
    blocks = re.findall(rf"^( *)```{language}\n(.*?)^\1```", page.read_text(), flags=re.M | re.S)
    return [textwrap.dedent(code) for _, code in blocks]
