"""The review queue's HTML as a small tree (html.parser, no new package), to assert its
structure: the list, its rows, each row's one line and what opens under it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def find_all(self, predicate) -> list[Node]:
        found = []
        for child in self.children:
            if predicate(child):
                found.append(child)
            found.extend(child.find_all(predicate))
        return found

    def first(self, predicate) -> Node | None:
        found = self.find_all(predicate)
        return found[0] if found else None

    def elements(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def all_text(self) -> str:
        return " ".join(" ".join(self.text + [child.all_text() for child in self.children]).split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].text.append(data)


def tree(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def has(name: str, value: str | None = None):
    """A predicate: the element has attribute `name` (equal to `value` when given)."""
    return lambda node: name in node.attrs and (value is None or node.attrs[name] == value)


def queue_rows(html: str) -> list[Node]:
    """The rows of the queue's list: its <li> children."""
    listing = tree(html).first(has("data-queue"))
    assert listing is not None and listing.tag == "ol", "the queue is an ordered list"
    return listing.elements("li")
