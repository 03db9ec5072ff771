"""A REFI-QDA project (.qdpx) of coded answers, for NVivo, ATLAS.ti, MAXQDA and QualCoder (no Flask).

The exchange standard of the Rotterdam Exchange Format Initiative (QDA-XML 1.0,
www.qdasoftware.org): a zip holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``) and a ``sources/`` folder with one plain-text file
per answer. Themes become codes (children under their parent), each answer a
text source, and each coder's themes a coding of the whole answer. GUIDs come
from the ids (uuid5), so exporting twice gives the same project.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

NS = "urn:QDA-XML:project:1.0"
_ROOT = uuid.UUID("6f1c2a9e-3b7d-4c55-9a0e-7d2f4b1c8e60")
TEAM = "the team (agreed)"


def guid(*parts: str) -> str:
    """A stable GUID for a thing named by ``parts``."""
    return str(uuid.uuid5(_ROOT, "/".join(parts)))


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


@dataclass(frozen=True)
class CodedAnswer:
    """One answer and the themes each coder (or the team) gave it."""

    response_id: str
    text: str
    themes_by_coder: dict


def project_xml(name: str, themes: list, answers: list[CodedAnswer], created: str) -> bytes:
    """``project.qde``: users, the codebook, and the answers as coded text sources."""
    ET.register_namespace("", NS)
    root = ET.Element(_tag("Project"), {"name": name, "origin": "consent-kit",
                                        "creationDateTime": created})
    coders = sorted({c for a in answers for c in a.themes_by_coder})
    if coders:
        users = ET.SubElement(root, _tag("Users"))
        for coder in coders:
            ET.SubElement(users, _tag("User"), {"guid": guid("user", coder), "name": coder})
    if themes:
        codes = ET.SubElement(ET.SubElement(root, _tag("CodeBook")), _tag("Codes"))
        for theme in (t for t in themes if not t.parent):
            _code(codes, theme, [t for t in themes if t.parent == theme.id])
    if answers:
        sources = ET.SubElement(root, _tag("Sources"))
        for answer in answers:
            _source(sources, answer, {t.id for t in themes}, created)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _code(parent: ET.Element, theme, children: list) -> None:
    code = ET.SubElement(parent, _tag("Code"), {"guid": guid("theme", theme.id),
                                                "name": theme.name, "isCodable": "true"})
    if theme.description:
        ET.SubElement(code, _tag("Description")).text = theme.description
    for child in children:
        _code(code, child, [])


def _source(sources: ET.Element, answer: CodedAnswer, known: set[str], created: str) -> None:
    source_id = guid("answer", answer.response_id)
    source = ET.SubElement(sources, _tag("TextSource"), {
        "guid": source_id, "name": f"Answer {answer.response_id[:8]}",
        "plainTextPath": f"internal://{source_id}.txt"})
    selection = ET.SubElement(source, _tag("PlainTextSelection"), {
        "guid": guid("selection", answer.response_id), "name": "The whole answer",
        "startPosition": "0", "endPosition": str(len(answer.text))})
    for coder, themes in sorted(answer.themes_by_coder.items()):
        for theme_id in sorted(t for t in themes if t in known):
            coding = ET.SubElement(selection, _tag("Coding"), {
                "guid": guid("coding", answer.response_id, coder, theme_id),
                "creatingUser": guid("user", coder), "creationDateTime": created})
            ET.SubElement(coding, _tag("CodeRef"), {"targetGUID": guid("theme", theme_id)})


def qdpx(name: str, themes: list, answers: list[CodedAnswer], created: str) -> bytes:
    """The whole .qdpx file: project.qde and one text file per answer."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_xml(name, themes, answers, created))
        for answer in answers:
            archive.writestr(f"sources/{guid('answer', answer.response_id)}.txt",
                             answer.text.encode("utf-8"))
    return out.getvalue()


def read_codings(data: bytes) -> tuple[dict[str, str], dict[tuple[str, str], set[str]]]:
    """Read a .qdpx back: ``({code guid: name}, {(answer text, coder name): {code names}})``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n.removeprefix("sources/").removesuffix(".txt"): archive.read(n).decode("utf-8")
                 for n in archive.namelist() if n.startswith("sources/")}
    names = {c.get("guid"): c.get("name") for c in root.iter(_tag("Code"))}
    users = {u.get("guid"): u.get("name") for u in root.iter(_tag("User"))}
    codings: dict[tuple[str, str], set[str]] = {}
    for source in root.iter(_tag("TextSource")):
        text = texts[source.get("plainTextPath").removeprefix("internal://").removesuffix(".txt")]
        for coding in source.iter(_tag("Coding")):
            key = (text, users[coding.get("creatingUser")])
            codings.setdefault(key, set()).add(names[coding.find(_tag("CodeRef")).get("targetGUID")])
    return names, codings
